# The printed pass sheet: what a household reads on paper, with its QR code. No names.
passsheet-title = Votre laissez-passer
passsheet-place = Point de rendez-vous
passsheet-time = Votre créneau
passsheet-step-1 = Gardez cette feuille cachée. Ne publiez ni n'envoyez de photo du code.
passsheet-step-2 = Rendez-vous au point uniquement pendant votre créneau, avec toutes les personnes de ce laissez-passer.
passsheet-step-3 = Apportez la pièce d'identité donnée à l'inscription.
passsheet-step-4 = Ne montrez le code qu'à l'escorte au point de rendez-vous et suivez ses indications.
passsheet-step-5 = Si cette feuille est perdue ou vue par des inconnus, appelez la ligne d'assistance : un nouveau laissez-passer sera délivré et celui-ci annulé.

# L'écran de la porte : agents de la porte (et coordinateurs) ; leurs portes seulement.
gate-title = Porte
gate-who = Pour les agents de la porte. Vous ne voyez que les groupes et les chiffres de vos portes, jamais une liste de personnes.
gate-choose = Porte
gate-no-gates = Aucune porte ne vous est attribuée. Demandez à un coordinateur.
gate-alarms = Alertes
gate-alarm-overdue = Groupe { $id } : { $count ->
    [one] { $count } foyer a dépassé
   *[other] { $count } foyers ont dépassé
} l'heure limite sans arriver. Prévenez le coordinateur maintenant.
gate-alarm-closed-short = Groupe { $id } clos avec { $count ->
    [one] { $count } personne manquante
   *[other] { $count } personnes manquantes
}. Le coordinateur est alerté.
gate-alarm-unaccounted = { $count ->
    [one] { $count } personne des groupes de cette porte est portée manquante
   *[other] { $count } personnes des groupes de cette porte sont portées manquantes
}.
gate-counts = À cette porte
gate-on-the-way = En chemin
gate-arrived-count = Arrivées
gate-processed-count = Enregistrées
gate-unaccounted-count = Manquantes
gate-batches = Groupes en chemin
gate-no-batches = Aucun groupe n'est en route vers cette porte.
gate-batch-name = Groupe { $id }
gate-heads = { $arrived ->
    [one] { $arrived } personne arrivée
   *[other] { $arrived } personnes arrivées
} sur { $departed }
gate-households = Foyers : { $count }
gate-departed = Parti du point de rendez-vous : { $time }
gate-deadline = Doit arriver avant : { $time }
gate-close = Clore ce groupe
gate-record = Enregistrer un foyer
gate-batch = Groupe avec lequel il a marché
gate-reference = Référence du laissez-passer
gate-reference-hint = Telle qu'imprimée sous le code, par exemple K7M4-Q2XP.
gate-arrived = Arrivé
gate-check-in = Enregistré
gate-reference-missing = Saisissez la référence imprimée sur le laissez-passer.
gate-arrived-people = Personnes arrivées (comptez-les)
gate-arrived-people-hint = Pour une arrivée : le nombre compté à la porte. Qui du foyer n'est pas là reste en route et est signalé disparu après l'heure limite.
gate-people-missing = Comptez les personnes de ce foyer qui sont arrivées, et saisissez leur nombre.
gate-people-invalid = Saisissez le nombre de personnes arrivées : un nombre entier de 1 à 60.
gate-batch-missing = Aucun groupe en chemin : une arrivée a besoin de son groupe.
gate-arrival-recorded = { $reference } : arrivé, { $count ->
    [one] { $count } personne
   *[other] { $count } personnes
  }.
gate-check-in-recorded = { $reference } : enregistré, { $count ->
    [one] { $count } personne
   *[other] { $count } personnes
  }.
gate-not-found = aucun foyer de ce groupe ou de cette porte ne porte cette référence. Vérifiez-la.
gate-already-checked-in = { $reference } est déjà enregistré.
gate-already-arrived = { $reference } est déjà compté comme arrivé.
gate-not-arrived = { $reference } n'a pas été compté comme arrivé : enregistrez d'abord son arrivée.
gate-live-on = En direct : les mises à jour arrivent seules.
gate-live-off = Non connecté : les chiffres peuvent être anciens. Reconnexion…

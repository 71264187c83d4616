# Planification : coordinateurs seulement ; chiffres, pas de noms.
plan-title = Plan
plan-who = Pour les coordinateurs. Un plan reste un aperçu tant que vous ne l'acceptez pas ; il montre des chiffres, pas des noms.
plan-settings = Réglages
plan-batch-size = Personnes par groupe escorté
plan-batch-size-hint = De 12 à 1000.
plan-batch-size-wrong = Le nombre de personnes par groupe doit être un entier de 12 à 1000.
plan-max-travel = Trajet le plus long vers un point de rendez-vous (minutes)
plan-max-travel-hint = Personne n'est envoyé plus loin. De 10 à 1440.
plan-max-travel-wrong = Le trajet le plus long doit être un nombre entier de minutes de 10 à 1440.
plan-run = Calculer un plan
plan-replan = Replanifier après un changement
plan-working = Calcul du plan…
plan-preview-title = Plan { $id }
plan-replan-title = Replanification { $id }
plan-preview-note = Aperçu calculé le { $time }. Rien ne change avant votre acceptation.
plan-accepted-at = Accepté le { $time }.
plan-people-placed = Personnes placées
plan-households-placed = Foyers placés
plan-households-unplaced = Foyers non placés
plan-gap = Écart au meilleur possible
plan-travel-total = Trajets, toutes personnes placées
plan-hours = { $value } heures-personnes
plan-travel-mean = Trajet par personne
plan-minutes = { $value } min
plan-batches = Groupes escortés
plan-moves = Foyers recevant un créneau
plan-per-class = Personnes par classe de priorité
plan-per-class-caption = Placées et non placées, priorité la plus haute d'abord.
plan-class = Classe de priorité
plan-placed = Placées
plan-unplaced = Non placées
plan-class-medical = Médical
plan-class-unaccompanied-minor = Mineurs non accompagnés
plan-class-elderly = Personnes âgées
plan-class-disability = Handicap
plan-class-other = Autres
plan-why-unplaced = Pourquoi des foyers ne sont pas placés
plan-none-unplaced = Tous les foyers admissibles sont placés.
plan-reason-line = { $reason } : { $count ->
    [one] { $count } foyer
   *[other] { $count } foyers
  }
plan-reason-no-allowed-rv = aucun point de rendez-vous ne leur convient
plan-reason-allowed-rvs-suspended = les points de rendez-vous qui leur conviennent sont suspendus
plan-reason-allowed-windows-full = tous les créneaux qui leur conviennent sont pleins
plan-reason-pinned-window-unavailable = le créneau attribué à la main n'est plus disponible
plan-reason-larger-than-the-largest-planned-household = plus grand que ce que le planificateur prend d'un coup
plan-reason-its-window-closed-or-its-rv-has-no-gate = son créneau est clos, ou son point de rendez-vous n'a pas de porte
plan-accept = Accepter ce plan
plan-nothing-to-accept = Rien à accepter : ce plan ne donne de nouveau créneau à aucun foyer.
plan-accept-question = { $count ->
    [one] Donner son créneau à { $count } foyer et émettre son laissez-passer maintenant ?
   *[other] Donner leur créneau à { $count } foyers et émettre leurs laissez-passer maintenant ?
}
plan-accept-yes = Oui, accepter
plan-accepted = Accepté : { $count ->
    [one] { $count } foyer affecté et son laissez-passer délivré
   *[other] { $count } foyers affectés et leurs laissez-passer délivrés
} ; avis à envoyer : { $notices }.
plan-stale = l'opération a changé depuis cet aperçu. Recalculez le plan.

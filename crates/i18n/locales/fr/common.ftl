# Words every page shares.
common-app-name = safeconduct
common-language = Langue
common-skip = Aller au contenu principal
common-sign-out = Se déconnecter
common-signed-in-as = Connecté : { $name }
common-loading = Chargement…
common-offline = Pas de connexion au serveur. Nouvel essai…
common-error = Cela n’a pas fonctionné : { $detail }
common-refused-rate_limited = Trop de demandes pour le moment. Réessayez dans { $seconds } s.
common-refused-not_found = Rien n’a été trouvé pour ce que vous avez donné. Vérifiez et réessayez.
common-refused-window_full = Ce créneau est complet. Choisissez-en un autre.
common-refused-flight_full = Ce vol est complet. Choisissez-en un autre.
common-refused-store_unavailable = Le serveur n’atteint pas ses données pour le moment. Réessayez bientôt.
common-refused-shredded = Les données personnelles de cette opération ont été détruites : rien ne peut être lu ni ajouté.
common-refused-forbidden = Votre rôle ne permet pas de faire cela.
common-refused-out_of_scope = Ce lieu n’est pas l’un des vôtres.
common-refused-internal = Un problème est survenu sur le serveur. Réessayez ; si cela continue, prévenez l’exploitant.
common-refused-not_walking_to_rv = Le foyer ne se rend plus à son point de rendez-vous : il n’y a pas d’itinéraire à donner.
common-session-ended = Votre session est terminée. Reconnectez-vous.
common-people = { $count ->
    [one] { $count } personne
   *[other] { $count } personnes
  }
common-previous = Précédent
common-next = Suivant
common-close = Fermer
common-cancel = Annuler
common-save = Enregistrer
common-refresh = Actualiser
common-role-coordinator = Coordinateur
common-role-hotline = Opérateur de la ligne d’assistance
common-role-escort = Escorte
common-role-gate = Agent de porte
common-role-manifest = Agent des manifestes
common-role-auditor = Auditeur
common-pages = Pages
common-nav-dashboard = Tableau de bord
common-nav-map = Carte
common-nav-plan = Plan
common-nav-hotline = Ligne d’assistance
common-nav-gate = Porte

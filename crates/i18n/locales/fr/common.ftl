# Words every page shares.
common-app-name = safeconduct
common-language = Langue
common-skip = Aller au contenu principal
common-sign-out = Se déconnecter
common-signed-in-as = Connecté : { $name }
common-loading = Chargement…
common-offline = Pas de connexion au serveur. Nouvel essai…
common-error = Cela n’a pas fonctionné : { $detail }
common-page-for = Cette page est pour : { $roles }. Vos rôles dans cette opération : { $yours }. Utilisez les liens ci-dessus, ou déconnectez-vous et connectez-vous avec un autre compte.
common-refused-rate_limited = Trop de demandes pour le moment. Réessayez dans { $seconds } s.
common-refused-not_found = Rien n’a été trouvé pour ce que vous avez donné. Vérifiez et réessayez.
common-refused-window_full = Ce créneau est complet. Choisissez-en un autre.
common-refused-flight_full = Ce vol est complet. Choisissez-en un autre.
common-refused-flight_already_scheduled = Ce vol est déjà prévu : le même numéro part à cette heure. Vérifiez la liste des vols.
common-refused-flight_has_manifest = Des personnes sont sur le manifeste de ce vol : changez son départ au lieu de le supprimer.
common-refused-store_unavailable = Le serveur n’atteint pas ses données pour le moment. Réessayez bientôt.
common-refused-shredded = Les données personnelles de cette opération ont été détruites : rien ne peut être lu ni ajouté.
common-refused-forbidden = Votre rôle ne permet pas de faire cela.
common-refused-out_of_scope = Ce lieu n’est pas l’un des vôtres.
common-refused-internal = Un problème est survenu sur le serveur. Réessayez ; si cela continue, prévenez l’exploitant.
common-refused-not_walking_to_rv = Le foyer ne se rend plus à son point de rendez-vous : il n’y a pas d’itinéraire à donner.
common-refused-rv_not_receiving = Le point de rendez-vous du foyer ne reçoit personne en ce moment (suspendu ou fermé) : n’y envoyez personne.
common-refused-illegal_transition = Le foyer n’en est plus à l’étape où cette action s’applique. Actualisez pour voir où il en est.
common-refused-conflict = Impossible dans l’état actuel des choses.
common-expected-something = { $field } : à remplir.
common-expected-shorter = { $field } : { $max } caractères au plus.
common-expected-character = { $field } : retirez le caractère caché ou spécial { $character } ; un texte copié d’ailleurs en contient souvent.
common-expected-range = { $field } : un nombre de { $min } à { $max }.
common-expected-form = { $field } : refusé. { $hint } ({ $reason })
common-expected-after_start = { $field } : doit venir après le début.
common-expected-future = { $field } : doit être plus tard que maintenant.
common-expected-not_future = { $field } : ne peut pas être dans le futur.
common-expected-within = { $field } : au plus { $hours ->
    [one] { $hours } heure
   *[other] { $hours } heures
} après le début.
common-expected-near = { $field } : hors de la zone de l’opération, à plus de { $km } km de chaque point de rendez-vous et de chaque porte. Vérifiez que la latitude et la longitude ne sont pas inversées.
common-expected-user = { $field } : aucun utilisateur de ce nom n’a le rôle { $role } dans cette opération.
common-expected-other = { $field } : refusé ({ $reason }).
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

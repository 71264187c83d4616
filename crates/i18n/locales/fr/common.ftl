# Words every page shares.
common-app-name = safeconduct
common-language = Langue
common-skip = Aller au contenu principal
common-sign-out = Se déconnecter
common-signed-in-as = Connecté : { $name }
common-loading = Chargement…
common-offline = Pas de connexion au serveur. Nouvel essai…
common-error = Cela n’a pas fonctionné : { $detail }
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

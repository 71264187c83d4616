# The sign-in page: open to anyone; it shows nothing until the server accepts the account.
signin-title = Connexion
signin-who = Ouvert à tous. Une fois connecté, vous ne voyez que ce que votre rôle permet.
signin-username = Nom du compte
signin-password = Mot de passe
signin-code = Code à usage unique
signin-code-hint = Coordinateurs : les six chiffres de l’application d’authentification. Les autres laissent vide.
signin-submit = Se connecter
signin-working = Connexion…
signin-failed = Le nom du compte, le mot de passe ou le code à usage unique est faux.
signin-too-many = Trop de tentatives. Attendez quelques minutes puis réessayez.
signin-choose = Où travaillez-vous aujourd’hui ?
signin-no-role = Ce compte n’a de rôle dans aucune opération. Demandez à un coordinateur.
signin-open = Ouvrir : { $page }
signin-page-dashboard = Tableau de bord de coordination
signin-page-hotline = Console de la ligne d’assistance
signin-page-gate = Écran de la porte
signin-page-scanner = Scanner

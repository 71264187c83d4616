# The sign-in page: open to anyone; it shows nothing until the server accepts the account.
signin-title = Sign in
signin-who = Open to anyone. After you sign in you see only what your role allows.
signin-username = Account name
signin-password = Password
signin-code = One-time code
signin-code-hint = Coordinators: the six digits from the authenticator app. Others leave it empty.
signin-submit = Sign in
signin-working = Signing in…
signin-failed = The account name, the password or the one-time code is wrong.
signin-too-many = Too many attempts. Wait a few minutes, then try again.
signin-choose = Where do you work today?
signin-no-role = This account has no role in any operation. Ask a coordinator.
signin-open = Open { $page }
signin-page-dashboard = Coordinator dashboard
signin-page-hotline = Hotline console
signin-page-gate = Gate screen
signin-page-scanner = Scanner

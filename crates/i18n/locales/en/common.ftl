# Words every page shares.
common-app-name = safeconduct
common-language = Language
common-skip = Skip to the main content
common-sign-out = Sign out
common-signed-in-as = Signed in as { $name }
common-loading = Loading…
common-offline = No connection to the server. Trying again…
common-error = It did not work: { $detail }
common-session-ended = Your session has ended. Sign in again.
common-people = { $count ->
    [one] { $count } person
   *[other] { $count } people
  }
common-previous = Previous
common-next = Next
common-close = Close
common-cancel = Cancel
common-save = Save
common-refresh = Refresh
common-role-coordinator = Coordinator
common-role-hotline = Hotline operator
common-role-escort = Escort
common-role-gate = Gate officer
common-role-manifest = Manifest officer
common-role-auditor = Auditor
common-pages = Pages
common-nav-dashboard = Dashboard
common-nav-map = Map
common-nav-plan = Plan
common-nav-hotline = Hotline
common-nav-gate = Gate

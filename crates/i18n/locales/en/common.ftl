# Words every page shares.
common-app-name = safeconduct
common-language = Language
common-skip = Skip to the main content
common-sign-out = Sign out
common-signed-in-as = Signed in as { $name }
common-loading = Loading…
common-offline = No connection to the server. Trying again…
common-error = It did not work: { $detail }
common-page-for = This page is for: { $roles }. Your roles in this operation: { $yours }. Use the links above, or sign out and sign in with another account.
# A refusal of the server by its code, on a page in another language than English (the
# server says it in English, which an English page shows as it is).
common-refused-rate_limited = Too many requests for now. Try again in { $seconds } s.
common-refused-not_found = Nothing was found under what you gave. Check it and try again.
common-refused-window_full = That window is full. Choose another.
common-refused-flight_full = That flight is full. Choose another.
common-refused-flight_already_scheduled = That flight is already scheduled: the same number departs at that time. Check the list of flights.
common-refused-flight_has_manifest = People are on that flight's manifest: change its departure instead of deleting it.
common-refused-store_unavailable = The server cannot reach its data right now. Try again shortly.
common-refused-shredded = The personal data of this operation was destroyed: nothing can be read or added.
common-refused-forbidden = Your role may not do this.
common-refused-out_of_scope = That place is not one of yours.
common-refused-internal = Something went wrong on the server. Try again; if it goes on, tell the operator.
common-refused-not_walking_to_rv = The household no longer walks to its rendezvous point: there is no route to give.
common-refused-rv_not_receiving = The household's rendezvous point receives nobody now (suspended or closed): send nobody there.
common-refused-illegal_transition = The household is no longer where this step applies. Refresh to see where it is now.
common-refused-conflict = This cannot be done as things stand now.
# A refused value by what it was expected to be, on a page in another language than English.
# { $field } is the field as the page labels it; { $hint } the hint under the field; { $reason }
# the server's English reason (for a value not as the field takes it, what was expected: "a
# month from 01 to 12, not 13"); { $role } the role as the page names it ("Escort").
common-expected-something = { $field }: fill this in.
common-expected-shorter = { $field }: at most { $max } characters.
common-expected-character = { $field }: remove the hidden or special character { $character }; text copied from elsewhere often carries one.
common-expected-range = { $field }: a number from { $min } to { $max }.
common-expected-form = { $field }: not accepted. { $hint } ({ $reason })
common-expected-after_start = { $field }: must come after the start.
common-expected-future = { $field }: must be later than now.
common-expected-not_future = { $field }: cannot be in the future.
common-expected-within = { $field }: at most { $hours ->
    [one] { $hours } hour
   *[other] { $hours } hours
} after the start.
common-expected-near = { $field }: outside the operation's area, more than { $km } km from every rendezvous point and gate. Check that latitude and longitude are not swapped.
common-expected-user = { $field }: no user of this name works as { $role } in this operation.
common-expected-other = { $field }: not accepted ({ $reason }).
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

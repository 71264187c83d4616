# The coordinator dashboard: coordinators see all of it; manifest officers the flights;
# auditors the accountability alarms and who read personal data. Counts and lists carry no names.
dashboard-title = Coordinator dashboard
dashboard-title-manifest = Flights and manifests
dashboard-title-auditor = Accountability alarms and access
dashboard-title-manifest-auditor = Flights, manifests, accountability alarms and access
dashboard-who = For coordinators. Manifest officers see the flights, auditors the alarms and who read personal data. Lists show case references, never names.
dashboard-not-for-role = This page is for coordinators. You are signed in as { $role }, and the server refused: { $detail }
dashboard-live-on = Live: connected. Counts updated at { $time }
dashboard-live-off = Not connected: reconnecting. Counts last updated at { $time }
dashboard-attention = Needs attention
dashboard-attention-none = No open incidents and no unaccounted households.
dashboard-access = Who read personal data (last 24 hours)
dashboard-access-hint = Each reader's requests, the distinct cases they named and the most cases they opened one by one within an hour. Someone guiding callers opens a few dozen an hour; a marked row opened more: ask them why.
dashboard-access-none = Nobody read personal data in the last 24 hours.
dashboard-access-reader = Reader
dashboard-access-roles = Roles
dashboard-access-requests = Requests
dashboard-access-cases = Cases
dashboard-access-busiest = Busiest hour: cases opened
dashboard-access-busiest-hour = { $cases }, from { $time }
dashboard-access-busiest-marked = { $cases }, from { $time }: more than { $over }, ask why
dashboard-access-pass-links = Pass links (nobody signed in)
dashboard-incidents = Open incidents
dashboard-alarms = Unaccounted alarms
dashboard-incident = Incident { $id }: { $kind }
dashboard-incident-double_admission = The same pass was admitted twice
dashboard-incident-wrong_rv = A pass was admitted at the wrong rendezvous point
dashboard-incident-outside_window = A pass was admitted outside its window
dashboard-incident-revoked_pass = A revoked pass was admitted
dashboard-incident-superseded_pass = A replaced pass was admitted
dashboard-incident-unknown_pass = A pass no household holds was admitted
dashboard-incident-clock_skew = A device's clock is wrong
dashboard-incident-head_count = The head count does not match
dashboard-incident-partial_arrival = Only part of a household arrived
dashboard-incident-not_departed = Admitted, never reported leaving
dashboard-incident-refused = A device's record was refused
dashboard-resolve = Resolve
dashboard-resolve-incident = Resolve incident { $id }
dashboard-incident-resolved = Incident { $id } is resolved.
dashboard-note = What was found and what was done
dashboard-alarm = Batch { $batch }: people unaccounted
dashboard-alarm-balance = Left rendezvous point { $rv } for gate { $gate } with { $departed ->
    [one] { $departed } person
   *[other] { $departed } people
}; { $arrived } arrived.
dashboard-alarm-deadline = Due at the gate by { $time }.
dashboard-unaccounted-people = People unaccounted, not yet resolved: { $people }
dashboard-resolve-case = Resolve case { $reference }
dashboard-resolve-case-text = Say how the household was found. The case moves on according to the outcome.
dashboard-outcome = Outcome
dashboard-outcome-arrived_late = Arrived late at the gate
dashboard-outcome-returned_to_rv = Returned to the rendezvous point
dashboard-outcome-found_elsewhere = Found elsewhere (the case is withdrawn)
dashboard-outcome-recorded_missing = Still missing (recorded)
dashboard-case-resolved = Case { $reference } is resolved. Now: { $stage }.
dashboard-funnel = People in each stage
dashboard-side-stages = Outside the way out
dashboard-totals = { $households ->
    [one] { $households } household
   *[other] { $households } households
}, people in all: { $people }
dashboard-people = { $people ->
    [one] { $people } person
   *[other] { $people } people
  }
dashboard-list = List
dashboard-list-stage = List the cases: { $stage }
dashboard-stage-registered = Registered
dashboard-stage-documents_verified = Documents checked
dashboard-stage-eligible = Eligible
dashboard-stage-assigned = Assigned a window
dashboard-stage-pass_issued = Pass issued
dashboard-stage-admitted_at_rv = At the rendezvous point
dashboard-stage-in_escort = In escort
dashboard-stage-arrived_at_gate = Arrived at the gate
dashboard-stage-processed = Processed, waiting for a flight
dashboard-stage-manifested = On a flight manifest
dashboard-stage-boarded = Boarded
dashboard-stage-unaccounted = Unaccounted
dashboard-stage-no_show = Did not come
dashboard-stage-reassigned = Reassigned
dashboard-stage-withdrawn = Withdrawn
dashboard-stage-rejected = Not eligible
dashboard-cases = Cases by stage
dashboard-stage = Stage
dashboard-cases-caption = { $stage }, page { $page }
dashboard-cases-none = No cases in this stage.
dashboard-reference = Case
dashboard-size = Size
dashboard-place = Place
dashboard-priorities = Priority
dashboard-actions = Actions
dashboard-rv = RV { $id }
dashboard-window = window { $id }
dashboard-gate = gate { $id }
dashboard-batch = batch { $id }
dashboard-flight = flight { $id }
dashboard-priority-medical = medical
dashboard-priority-unaccompanied_minor = child alone
dashboard-priority-elderly = elderly
dashboard-priority-disability = disability
dashboard-priority-pregnancy = pregnancy
dashboard-issue = Issue pass
dashboard-issue-text = Issue the pass of case { $reference }?
dashboard-reissue = Issue again
dashboard-reissue-text = Issue a new pass for case { $reference }? The pass it has now stops working.
dashboard-issued = Pass issued for case { $reference } (pass { $index }).
dashboard-print = Print pass
dashboard-revoke = Revoke pass
dashboard-revoke-text = Revoke the pass of case { $reference }? It stops working at every checkpoint.
dashboard-revoked = The pass of case { $reference } is revoked.
dashboard-reason = Reason
dashboard-required = Fill in: { $field }
dashboard-numbers-only = { $field }: numbers only, separated by commas, for example 3, 4.
dashboard-register = Register a household
dashboard-household-language = The household's language
dashboard-contact-phone = Contact phone
dashboard-phone-hint = Any common form: +93…, 0093…, 07…
dashboard-location = Approximate location (optional)
dashboard-location-hint = Latitude and longitude in degrees, as LAT,LON; kept to about 100 m
dashboard-location-invalid = Location: write a latitude and a longitude in degrees, as LAT,LON
dashboard-needs-vehicle = Someone must be driven (vehicle access needed)
dashboard-cannot-walk-far = Someone cannot walk far
dashboard-member = Member { $n }
dashboard-member-name = Name in Latin letters
dashboard-member-native = Name in the person's own script
dashboard-member-birth = Date of birth
dashboard-member-birth-hint = YYYY, YYYY-MM or YYYY-MM-DD
dashboard-add-member = Add a member
dashboard-remove-member = Remove this member
dashboard-register-submit = Register
dashboard-registered = Registered: case { $reference }, { $people ->
    [one] { $people } person
   *[other] { $people } people
  }.
dashboard-flights = Flights
dashboard-flight-number = Flight number
dashboard-flight-departs = Departs
dashboard-flight-load = On the manifest
dashboard-flight-loaded = { $manifested } of { $capacity }
dashboard-flight-capacity = Seats
dashboard-flight-new = New flight
dashboard-flight-create = Create the flight
dashboard-flight-created = Flight { $number } created.
dashboard-flight-change = Change
dashboard-flight-change-title = Change flight { $number }
dashboard-flight-change-text = People on its manifest now: { $manifested }. They keep their seats: there are never fewer seats than them.
dashboard-flight-change-ok = Save the change
dashboard-flight-changed = Flight { $number } changed: departs { $time }, { $capacity ->
    [one] { $capacity } seat
   *[other] { $capacity } seats
}.
dashboard-flight-unchanged = Nothing was changed. Change a value, or close with Cancel.
dashboard-flight-delete = Delete
dashboard-flight-delete-title = Delete flight { $number } of { $time }?
dashboard-flight-delete-text = Nobody is on its manifest. The deletion is written in the audit log.
dashboard-flight-delete-ok = Delete the flight
dashboard-flight-deleted = Flight { $number } deleted.
dashboard-manifest-page = Manifest (print)
dashboard-manifest-csv = Manifest (CSV)
dashboard-manifest-title = Manifest of flight { $number }
dashboard-manifest-text = The manifest lists names and documents. Your reason is written in the audit log.
dashboard-manifest-case = Put on a flight
dashboard-manifested = Case { $reference } is on the manifest.
dashboard-manifest-onto = Put a household on this flight
dashboard-manifest-onto-title = Put a household on flight { $number }
dashboard-manifest-onto-text = The reference printed on the pass of a household that has been checked in at the gate.
dashboard-devices = Field devices
dashboard-device-new = Enrol a device
dashboard-device-user = User name of the escort or gate staff
dashboard-device-role = Role
dashboard-device-role-escort = Escort
dashboard-device-role-gate = Gate
dashboard-device-places = Rendezvous point numbers (escort) or gate numbers (gate), separated by commas
dashboard-device-label = Label (for example RV 2 phone 1)
dashboard-device-create = Enrol the device
dashboard-device-enrolled = Device { $device } enrolled. Let the scanner read this QR code, or give the device number and the code: it works once, until { $time }, and is not shown again.
dashboard-device-qr-alt = Enrolment QR code of device { $device }
dashboard-device-code = Code: { $code }
dashboard-device-list = Enrolled devices
dashboard-device-list-why = A phone lost, taken or wiped: suspend it here at once.
dashboard-devices-none = No device enrolled yet.
dashboard-device-line = Device { $device } ({ $label }), { $user }: { $role }, { $places }; { $state }; { $sync }
dashboard-device-at-rvs = { $count ->
    [one] rendezvous point
   *[other] rendezvous points
} { $ids }
dashboard-device-at-gates = gate { $ids }
dashboard-device-state-waiting_for_key = waiting for its first connection
dashboard-device-state-active = active
dashboard-device-state-suspended = suspended
dashboard-device-synced = last sync { $time }
dashboard-device-never-synced = never synced
dashboard-device-suspend = Suspend
dashboard-device-suspend-title = Suspend device { $device } ({ $label })?
dashboard-device-suspend-text = Its records and kit requests are refused from now on, its gate locations are withdrawn and its user is signed out everywhere. If the phone may have been opened by someone else, also rotate the pass keys as compromised.
dashboard-device-suspended = Device { $device } ({ $label }) is suspended.
dashboard-keys = Pass keys
dashboard-keys-why = A field phone that may have been opened by someone else holds keys that open the passes of its places: suspend it above, then rotate the pass keys here.
dashboard-keys-active = Passes are signed now with key { $kid }.
dashboard-keys-compromised = { $count ->
    [one] One earlier key is marked compromised: its passes are refused.
   *[other] { $count } earlier keys are marked compromised: their passes are refused.
}
dashboard-keys-rotate = Rotate as compromised
dashboard-keys-rotate-title = Rotate the pass keys as compromised?
dashboard-keys-rotate-text = Every pass signed with the current key is revoked now, and in the same step a new one is issued to each household still to come to its rendezvous point. Households see the new pass through their pass link; printed passes must be printed again. Escort and gate phones fetch the new kit within minutes when online (at once with “Send now”).
dashboard-keys-not-reissued-at-gate = { $count ->
    [one] One household past its rendezvous point keeps its revoked pass: { $references }. The gate checks it in by its reference.
   *[other] { $count } households past their rendezvous point keep their revoked pass: { $references }. The gate checks them in by their reference.
}
dashboard-keys-not-reissued-reassign = { $count ->
    [one] One household was not issued a new pass (marked no-show, or its window over): { $references }. Reassign it to an open window, then issue its pass.
   *[other] { $count } households were not issued a new pass (marked no-show, or their window over): { $references }. Reassign them to an open window, then issue their passes.
}
dashboard-keys-rotated = New key { $kid }: { $revoked ->
    [one] 1 pass revoked
   *[other] { $revoked } passes revoked
}, { $reissued } issued anew.
dashboard-field-users = Who acts where
dashboard-field-users-why = The escort and gate users of this operation and the places they act at now, with the numbers the forms below take.
dashboard-field-user-places = { $user } ({ $roles }): rendezvous points: { $rvs }; gates: { $gates }
dashboard-field-users-none = No escort or gate user in this operation yet.
dashboard-field-rvs-uncovered = No escort acts at these rendezvous points, which receive people: { $places }
dashboard-field-gates-uncovered = No gate staff act at these open gates: { $places }
dashboard-field-place = { $name } ({ $id })
dashboard-places-new = Places of an escort or gate user
dashboard-places-why = An escort acts, and their devices serve, only at the rendezvous points given here; gate staff only at the gates given here. This replaces the places they had, from now on.
dashboard-places-rvs = Rendezvous point numbers (escort), separated by commas
dashboard-places-gates = Gate numbers (gate staff), separated by commas
dashboard-places-save = Save the places
dashboard-places-none = none
dashboard-places-saved = { $user } now acts at rendezvous points: { $rvs }; gates: { $gates }.

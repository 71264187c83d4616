# The scanner web app (/scanner/): an escort's or gate's offline pass checker.
scanner-title = Pass scanner
scanner-enrol-title = Enrol this device
scanner-enrol-intro = A coordinator gives you a device number and a one-time code, or a QR code holding both. The code works once, for one hour. Sign in first, in the operation you work for.
scanner-device = Device number
scanner-code-label = Enrolment code (for example K7QM-2XD9-FH3T-8WPA)
scanner-enrol-button = Enrol and load the kit
scanner-enrolled = Device enrolled and field kit loaded. It works without network from now on.
scanner-scan-title = Check a pass
scanner-place = Where you stand
scanner-rv-name = Rendezvous point { $id }
scanner-gate-name = Gate { $id }
scanner-device-name = Device { $device }, operation { $operation }
scanner-camera-label = Camera view: hold the pass's QR code in the frame
scanner-camera-start = Start the camera
scanner-camera-stop = Stop the camera
scanner-camera-failed = The camera could not start. Type or paste the pass text below instead.
scanner-enrol-camera-failed = The camera could not start. Type the device number and the code from the coordinator's screen below instead.
scanner-holder-legend = Document shown by the holder (optional)
scanner-holder-document = Document number
scanner-holder-year = Birth year on the document
scanner-pass-text = Pass text (if the camera cannot read it)
scanner-check-button = Check this pass
scanner-batches-title = Batches
scanner-no-batch = No batch
scanner-batch-name = Batch { $batch }
scanner-batch-line = Batch { $batch } to gate { $gate }: households { $households }, people { $people }
scanner-admit-into = Admit into
scanner-batch-gate = Gate the new batch walks to
scanner-batch-open = Open a batch
scanner-batch-opened = Batch { $batch } opened, bound for gate { $gate }.
scanner-depart-batch = Batch leaving
scanner-head-count = People counted at the door
scanner-depart-button = Record departure
scanner-head-count-needed = Choose an open batch and count at least one person.
scanner-departed = Batch { $batch } departed with { $count ->
    [one] { $count } person
   *[other] { $count } people
  }.
scanner-departed-differs = Batch { $batch } departed with { $count ->
    [one] { $count } person
   *[other] { $count } people
} counted, but { $admitted } had been admitted into it. The coordinator will see the difference.
scanner-sync-title = Sending records
scanner-sync-button = Send now
scanner-kit-button = Refresh the field kit
scanner-signin-needed = Sign in to enrol this device, send records and refresh the kit. Checking passes works without signing in.
scanner-synced = Records sent: { $received }. Incidents raised: { $incidents }.
scanner-kit-loaded = Field kit refreshed.
scanner-kit-expires = Field kit valid until { $time }.
scanner-kit-expired = The field kit expired at { $time }: refresh it.
scanner-kit-expired-refuse = The field kit has expired: refresh it before checking passes. Nothing was recorded.
scanner-clock-back-refuse = This phone's clock has gone back: set the right date and time, then check the pass again. If it is right already, press “Send now” while online to fetch a new kit. Nothing was recorded.
scanner-kit-unusable = The field kit on this device cannot be used ({ $reason }): refresh it.
scanner-no-kit = No field kit
scanner-online = Online
scanner-offline = Offline
scanner-pending = Waiting to send: { $count }
scanner-list-age = Revocation list: { $hours } h old
scanner-verdict-admit = ADMIT
scanner-verdict-refuse = REFUSE
scanner-code = Code: { $code }
scanner-people = People: { $count }
scanner-window = Window: { $start } to { $end }
scanner-admit-button = Admit { $count ->
    [one] { $count } person
   *[other] { $count } people
  }
scanner-admitted = Admitted { $count ->
    [one] { $count } person
   *[other] { $count } people
  } into batch { $batch }.
scanner-refusal-recorded = The refusal is recorded.
scanner-next-button = Next pass
scanner-arrive-people = People who arrived
scanner-arrive-button = Record arrival
scanner-check-in-button = Record check-in
scanner-people-range = { $max ->
    [one] Enter { $max } person.
   *[other] Enter between 1 and { $max } people.
}
scanner-arrival-recorded = Arrival recorded.
scanner-check-in-recorded = Check-in recorded.
scanner-stale-warning = Warning: the revocation list is { $hours } h old. Refresh the kit as soon as you can.
scanner-holder-unbound = This pass is not bound to a document: check the holder's identity another way.
scanner-reason-valid = Valid pass.
scanner-reason-wrong-rv = Authentic pass, but for another rendezvous point: this device holds no key for it.
scanner-reason-wrong-rv-here = Valid pass, but for another rendezvous point (RV { $rv }).
scanner-reason-early = Too early: the window opens in { $minutes } min.
scanner-reason-late = Too late: the window closed { $minutes } min ago.
scanner-reason-not-yet-valid = Not yet valid: this pass becomes valid in { $minutes } min.
scanner-reason-expired = Expired { $minutes } min ago.
scanner-reason-status-list-stale = The revocation list is { $hours } h old: refresh the field kit before admitting anyone.
scanner-reason-revoked = Revoked: this pass is no longer valid.
scanner-reason-superseded = Replaced: a newer pass was issued to this household.
scanner-reason-unknown-key = Unknown key: this pass is not from an operation this device knows.
scanner-reason-bad-signature = Forged or damaged: the signature does not match.
scanner-reason-holder-mismatch = The document shown does not belong to this pass.
scanner-reason-not-a-pass = Not a pass.
scanner-reason-old-format = This pass is of an older format and must be re-issued.
scanner-reason-status-list-missing = No revocation list on this device: load a field kit.
scanner-reason-clock-behind = This device's clock stands more than a day behind the revocation list: set the right date and time, then check the pass again.
scanner-reason-tier-unreadable = Authentic pass, but this device holds no key to read its details.
scanner-error-offline = No network: the records stay on this device and are sent later.
scanner-error-busy = The server is busy: the records stay on this device and are sent again shortly.
scanner-error-signin = Sign in again to continue.
scanner-error-not-found = Not found: check the device number and the code.
scanner-error-suspended = This device is suspended: ask a coordinator.
scanner-error-refused = The server refused ({ $code }): { $message }
scanner-wipe-title = Wipe this device
scanner-wipe-intro = Deletes the key, the field kit and the records not yet sent, and tells the server the key is no longer valid.
scanner-wipe-button = Wipe everything now
scanner-wipe-confirm = Wipe this device? Records not yet sent are lost.
scanner-wipe-unreported = The server could not be told ({ $reason }). Tell a coordinator to suspend this device.
scanner-wiped = This device is wiped.
scanner-wiped-by-coordinator = A coordinator suspended this device: it was wiped.
scanner-status-label = Device status
scanner-signin-link = Sign in
scanner-code-hint = Letters and digits; dashes and spaces do not matter.
scanner-enrol-scan = Scan the coordinator's QR code
scanner-enrol-camera-label = Camera view: hold the coordinator's enrolment QR code in the frame
scanner-enrol-qr-not = Not an enrolment QR code: show the camera the QR code the coordinator's screen gives for this device.
scanner-enrol-qr-other-op = This QR code enrols a device of operation { $operation }: sign in to that operation first.
scanner-kit-dropped = The server refused this device's session: the field kit was removed from this device. Sign in again to load a new one.
scanner-no-kit-refuse = No field kit on this device: sign in and load one before checking passes. Nothing was recorded.

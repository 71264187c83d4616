# The gate screen: gate officers (and coordinators); counts and batches of their own gates only.
gate-title = Gate
gate-who = For gate officers. You see the batches and counts of your own gates only, never a list of people.
gate-choose = Gate
gate-no-gates = No gate is assigned to you. Ask a coordinator.
gate-alarms = Alarms
gate-alarm-overdue = Batch { $id }: { $count ->
    [one] { $count } household
   *[other] { $count } households
} past the deadline and not arrived. Report to the coordinator now.
gate-alarm-closed-short = Batch { $id } closed with { $count ->
    [one] { $count } person
   *[other] { $count } people
} missing. The coordinator has been alerted.
gate-alarm-unaccounted = { $count ->
    [one] { $count } person from batches of this gate is
   *[other] { $count } people from batches of this gate are
} unaccounted for.
gate-counts = At this gate
gate-on-the-way = On the way
gate-arrived-count = Arrived
gate-processed-count = Checked in
gate-unaccounted-count = Unaccounted
gate-batches = Batches on the way
gate-no-batches = No batch is on its way to this gate.
gate-batch-name = Batch { $id }
gate-heads = { $arrived } of { $departed ->
    [one] { $departed } person
   *[other] { $departed } people
} arrived
gate-households = Households: { $count }
gate-departed = Left the rendezvous point: { $time }
gate-deadline = Must arrive by: { $time }
gate-close = Close this batch
gate-record = Record a household
gate-batch = Batch it walked with
gate-reference = Reference on the pass
gate-reference-hint = As printed under the code, for example K7M4-Q2XP.
gate-arrived = Arrived
gate-check-in = Checked in
gate-reference-missing = Enter the reference printed on the pass.
gate-arrived-people = People who arrived (count them)
gate-arrived-people-hint = For an arrival: the number you counted at the gate. Anyone of the household not here stays on the way and is reported missing after the deadline.
gate-people-missing = Count the people of this household who arrived, and enter the number.
gate-people-invalid = Enter the number of people who arrived: a whole number from 1 to 60.
gate-batch-missing = No batch is on its way: an arrival needs its batch.
gate-arrival-recorded = { $reference }: arrived, { $count ->
    [one] { $count } person
   *[other] { $count } people
  }.
gate-check-in-recorded = { $reference }: checked in, { $count ->
    [one] { $count } person
   *[other] { $count } people
  }.
gate-not-found = no such household in this batch or at this gate. Check the reference.
gate-already-checked-in = { $reference } is already checked in.
gate-already-arrived = { $reference } is already counted in as arrived.
gate-not-arrived = { $reference } has not been counted in as arrived: record its arrival first.
gate-live-on = Live: updates arrive by themselves.
gate-live-off = Not connected: figures may be old. Reconnecting…

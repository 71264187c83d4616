# Planning: coordinators only; figures and counts, no names.
plan-title = Plan
plan-who = For coordinators. A plan is a preview until you accept it; it shows figures, not names.
plan-settings = Settings
plan-batch-size = People per escort batch
plan-batch-size-hint = From 12 to 1000.
plan-batch-size-wrong = People per escort batch must be a whole number from 12 to 1000.
plan-max-travel = Longest trip to a rendezvous point (minutes)
plan-max-travel-hint = Nobody is sent further than this. From 10 to 1440.
plan-max-travel-wrong = The longest trip must be a whole number of minutes from 10 to 1440.
plan-run = Run a plan
plan-replan = Re-plan after a change
plan-working = Computing the plan…
plan-preview-title = Plan { $id }
plan-replan-title = Re-plan { $id }
plan-preview-note = Preview computed { $time }. Nothing changes until you accept it.
plan-accepted-at = Accepted { $time }.
plan-people-placed = People placed
plan-households-placed = Households placed
plan-households-unplaced = Households unplaced
plan-gap = Gap to the best possible
plan-travel-total = Travel, everyone placed
plan-hours = { $value } person-hours
plan-travel-mean = Travel per person
plan-minutes = { $value } min
plan-batches = Escort batches
plan-moves = Households given a window
plan-per-class = People per priority class
plan-per-class-caption = Placed and unplaced, highest priority first.
plan-class = Priority class
plan-placed = Placed
plan-unplaced = Unplaced
plan-class-medical = Medical
plan-class-unaccompanied-minor = Unaccompanied minors
plan-class-elderly = Elderly
plan-class-disability = Disability
plan-class-other = Others
plan-why-unplaced = Why households are unplaced
plan-none-unplaced = Every eligible household is placed.
plan-reason-line = { $reason }: { $count ->
    [one] { $count } household
   *[other] { $count } households
  }
plan-reason-no-allowed-rv = no rendezvous point suits them
plan-reason-allowed-rvs-suspended = the rendezvous points that suit them are suspended
plan-reason-allowed-windows-full = every window that suits them is full
plan-reason-pinned-window-unavailable = the window assigned by hand is no longer available
plan-reason-larger-than-the-largest-planned-household = larger than the planner takes at once
plan-reason-its-window-closed-or-its-rv-has-no-gate = its window closed, or its rendezvous point has no gate
plan-accept = Accept this plan
plan-nothing-to-accept = Nothing to accept: this plan gives no household a new window.
plan-accept-question = { $count ->
    [one] Give { $count } household its window and issue its pass now?
   *[other] Give { $count } households their windows and issue their passes now?
}
plan-accept-yes = Yes, accept
plan-accepted = Accepted: { $count ->
    [one] { $count } household assigned and its pass issued
   *[other] { $count } households assigned and their passes issued
}; notices to send: { $notices }.
plan-stale = the operation changed since this preview. Run the plan again.

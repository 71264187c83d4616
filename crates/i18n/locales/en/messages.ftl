# Text messages sent to a household's phone. Each comes in forms from the fullest to the
# shortest: the first that fits in three SMS is sent, so a long place name or address costs
# words, never the time, the reference or the link. Times are UTC and say so (a phone's clock
# may be set to any zone). Name no person.

# A new window after a re-plan or a reassignment.
message-new-window = { $reference }: your time has changed. Be at { $rv } ({ $landmark }) on { $day } between { $from } and { $until } UTC. Your earlier pass is no longer valid; a new one will follow.
message-new-window-short = { $reference }: new time. Be at { $rv } on { $day } from { $from } to { $until } UTC. Old pass cancelled; a new one will follow.
message-new-window-shortest = { $reference }: be at { $rv } on { $day } from { $from } to { $until } UTC.
# The link to the household's pass page (it opens the pass with no account).
message-pass-link = Your pass is ready. Open it here and show the code only to the escort: { $link } Do not forward this message.
message-pass-link-short = Your pass: { $link } Do not forward.
message-pass-link-shortest = Your pass: { $link }

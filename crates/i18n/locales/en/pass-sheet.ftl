# The printed pass sheet: what a household reads on paper, with its QR code. No names.
passsheet-title = Your pass
passsheet-place = Rendezvous point
passsheet-time = Your time window
passsheet-step-1 = Keep this sheet hidden. Do not post or send a photo of the code.
passsheet-step-2 = Go to the rendezvous point only during your time window, with every person on this pass.
passsheet-step-3 = Bring the identity document you registered with.
passsheet-step-4 = Show the code only to the escort party at the point, and follow their directions.
passsheet-step-5 = If this sheet is lost or seen by strangers, call the hotline: a new pass will be issued and this one cancelled.

# Walking guidance, read out by the hotline and sent by text message (at most three SMS,
# so every word counts). A step is built from a manoeuvre on a street, then "near" a
# landmark, then the distance, then the full stop: { $street }, { $step }, { $landmark },
# { $distance } are filled in by the router. Keep each phrase short.
guidance-start = Start on { $street }
guidance-straight = Continue on { $street }
guidance-slight-left = Bear left onto { $street }
guidance-slight-right = Bear right onto { $street }
guidance-left = Turn left onto { $street }
guidance-right = Turn right onto { $street }
guidance-turn-back = Turn back onto { $street }
guidance-arrive = You have arrived
# A step or the arrival, near a landmark.
guidance-near = { $step } near { $landmark }
# A step and how far it goes.
guidance-for = { $step }, { $distance }
# The end of a sentence.
guidance-sentence = { $step }.
# A distance as said aloud ($count is already rounded).
guidance-metres = { $count } m
guidance-kilometres = { $count } km
# A way without a name, named by what it is.
guidance-street = the street
guidance-footway = the footpath
guidance-steps = the steps

# Walking guidance, read out by the hotline and sent by text message (at most three SMS).
guidance-start = له { $street } څخه پیل وکړئ
guidance-straight = په { $street } مخامخ لاړ شئ
guidance-slight-left = لږ کیڼ لور ته { $street } ته لاړ شئ
guidance-slight-right = لږ ښي لور ته { $street } ته لاړ شئ
guidance-left = کیڼ لور ته { $street } ته وګرځئ
guidance-right = ښي لور ته { $street } ته وګرځئ
guidance-turn-back = بېرته { $street } ته وګرځئ
guidance-arrive = منزل ته ورسېدئ
guidance-near = { $step } د { $landmark } تر څنګ
guidance-for = { $step }، { $distance }
guidance-sentence = { $step }.
guidance-metres = { $count } متره
guidance-kilometres = { $count } کیلومتره
guidance-street = سړک
guidance-footway = پلې لار
guidance-steps = زینې

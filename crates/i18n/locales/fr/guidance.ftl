# Walking guidance, read out by the hotline and sent by text message (at most three SMS).
guidance-start = Partez par { $street }
guidance-straight = Continuez sur { $street }
guidance-slight-left = Serrez à gauche sur { $street }
guidance-slight-right = Serrez à droite sur { $street }
guidance-left = Tournez à gauche sur { $street }
guidance-right = Tournez à droite sur { $street }
guidance-turn-back = Faites demi-tour sur { $street }
guidance-arrive = Vous voici à destination
guidance-near = { $step } près de { $landmark }
guidance-for = { $step }, { $distance }
guidance-sentence = { $step }.
guidance-metres = { $count } m
guidance-kilometres = { $count } km
guidance-street = la rue
guidance-footway = le chemin
guidance-steps = l'escalier

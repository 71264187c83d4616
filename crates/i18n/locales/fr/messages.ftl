# Text messages sent to a household's phone, fullest form first (see the English file).
message-new-window = { $reference } : votre horaire a changé. Soyez à { $rv } ({ $landmark }) le { $day } entre { $from } et { $until } UTC. Votre ancien laissez-passer n'est plus valable ; un nouveau suivra.
message-new-window-short = { $reference } : nouvel horaire. Soyez à { $rv } le { $day } de { $from } à { $until } UTC. Ancien laissez-passer annulé ; un nouveau suivra.
message-new-window-shortest = { $reference } : soyez à { $rv } le { $day } de { $from } à { $until } UTC.
message-pass-link = Votre laissez-passer est prêt. Ouvrez-le ici et ne montrez le code qu'à l'escorte : { $link } Ne transférez pas ce message.
message-pass-link-short = Votre laissez-passer : { $link } Ne le transférez pas.
message-pass-link-shortest = Laissez-passer : { $link }

# Text messages sent to a household's phone, fullest form first (see the English file). The
# notice of a new window is not translated yet: English is sent.
message-pass-link = Ваша перепустка готова. Відкрийте її тут і показуйте код лише супроводу: { $link } Не пересилайте це повідомлення.
message-pass-link-short = Ваша перепустка: { $link } Не пересилайте.
message-pass-link-shortest = Перепустка: { $link }

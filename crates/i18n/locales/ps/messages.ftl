# Text messages sent to a household's phone, fullest form first (see the English file).
message-new-window = { $reference }: ستاسو وخت بدل شو. په { $day } د { $from } او { $until } (UTC) ترمنځ په { $rv } ({ $landmark }) کې اوسئ. پخوانی اجازه‌لیک مو نور اعتبار نه لري؛ نوی به درته ولیږل شي.
message-new-window-short = { $reference }: نوی وخت. په { $day } د { $from } او { $until } (UTC) ترمنځ په { $rv } کې اوسئ. پخوانی اجازه‌لیک باطل دی؛ نوی به درته ولیږل شي.
message-new-window-shortest = { $reference }: په { $day } د { $from } او { $until } (UTC) ترمنځ په { $rv } کې اوسئ.
message-pass-link = ستاسو اجازه‌لیک چمتو دی. دلته یې پرانیزئ او کوډ یوازې همراهانو ته وښایئ: { $link } دا پیغام بل چا ته مه لیږئ.
message-pass-link-short = ستاسو اجازه‌لیک: { $link } بل چا ته یې مه لیږئ.
message-pass-link-shortest = اجازه‌لیک: { $link }

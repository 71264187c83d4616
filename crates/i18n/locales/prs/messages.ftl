# Text messages sent to a household's phone, fullest form first (see the English file).
message-new-window = { $reference }: وقت شما تغییر کرد. در تاریخ { $day } بین { $from } و { $until } (UTC) در { $rv } ({ $landmark }) باشید. اجازه‌نامهٔ قبلی شما دیگر اعتبار ندارد؛ اجازه‌نامهٔ جدید فرستاده می‌شود.
message-new-window-short = { $reference }: وقت جدید. در تاریخ { $day } بین { $from } و { $until } (UTC) در { $rv } باشید. اجازه‌نامهٔ قبلی باطل است؛ اجازه‌نامهٔ جدید می‌آید.
message-new-window-shortest = { $reference }: در تاریخ { $day } بین { $from } و { $until } (UTC) در { $rv } باشید.
message-pass-link = اجازه‌نامهٔ شما آماده است. آن را اینجا باز کنید و کد را فقط به همراهان نشان دهید: { $link } این پیام را برای کسی نفرستید.
message-pass-link-short = اجازه‌نامهٔ شما: { $link } برای کسی نفرستید.
message-pass-link-shortest = اجازه‌نامه: { $link }

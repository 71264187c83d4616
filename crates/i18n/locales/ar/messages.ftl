# Text messages sent to a household's phone, fullest form first (see the English file).
message-new-window = { $reference }: تغيّر موعدك. كن في { $rv } ({ $landmark }) يوم { $day } بين { $from } و{ $until } (UTC). تصريحك السابق لم يعد صالحًا؛ سيصلك تصريح جديد.
message-new-window-short = { $reference }: موعد جديد. كن في { $rv } يوم { $day } بين { $from } و{ $until } (UTC). تصريحك السابق ملغى؛ سيصلك تصريح جديد.
message-new-window-shortest = { $reference }: كن في { $rv } يوم { $day } بين { $from } و{ $until } (UTC).
message-pass-link = تصريحك جاهز. افتحه هنا ولا تُظهر الرمز إلا للمرافقين: { $link } لا تُعِد إرسال هذه الرسالة.
message-pass-link-short = تصريحك: { $link } لا تُعِد إرسالها.
message-pass-link-shortest = تصريحك: { $link }

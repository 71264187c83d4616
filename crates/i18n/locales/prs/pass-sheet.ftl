# The printed pass sheet: what a household reads on paper, with its QR code. No names.
passsheet-title = اجازه‌نامه شما
passsheet-place = محل تجمع
passsheet-time = وقت تعیین‌شده شما
passsheet-step-1 = این ورق را پنهان نگه دارید. از کد عکس نگیرید و برای کسی نفرستید.
passsheet-step-2 = فقط در وقت تعیین‌شده با همه افراد این اجازه‌نامه به محل تجمع بروید.
passsheet-step-3 = سند هویتی را که با آن ثبت نام کردید با خود بیاورید.
passsheet-step-4 = کد را فقط به همراهان در محل تجمع نشان دهید و از رهنمایی آنها پیروی کنید.
passsheet-step-5 = اگر این ورق گم شد یا بیگانگان آن را دیدند، به خط تماس زنگ بزنید: اجازه‌نامه جدید صادر و این یکی لغو می‌شود.

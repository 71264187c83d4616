# The sign-in page: open to anyone; it shows nothing until the server accepts the account.
signin-title = ورود
signin-who = برای همه باز است. پس از ورود، تنها آنچه نقش شما اجازه می‌دهد را می‌بینید.
signin-username = نام حساب
signin-password = رمز عبور
signin-code = کد یک‌بار مصرف
signin-code-hint = هماهنگ‌کنندگان: شش رقم از برنامهٔ تأیید هویت. دیگران خالی بگذارند.
signin-submit = ورود
signin-working = در حال ورود…
signin-failed = نام حساب، رمز عبور یا کد یک‌بار مصرف نادرست است.
signin-too-many = تلاش‌های زیاد. چند دقیقه صبر کنید و دوباره تلاش کنید.
signin-choose = امروز کجا کار می‌کنید؟
signin-no-role = این حساب در هیچ عملیاتی نقشی ندارد. از یک هماهنگ‌کننده بپرسید.
signin-open = باز کردن { $page }
signin-page-dashboard = صفحهٔ هماهنگ‌کننده
signin-page-hotline = میز خط تماس
signin-page-gate = صفحهٔ دروازه
signin-page-scanner = اسکنر

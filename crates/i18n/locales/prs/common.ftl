# Words every page shares.
common-app-name = safeconduct
common-language = زبان
common-skip = رفتن به محتوای اصلی
common-sign-out = خروج
common-signed-in-as = وارد شده به نام { $name }
common-loading = در حال بارگیری…
common-offline = اتصال با سرور نیست. دوباره تلاش می‌شود…
common-error = انجام نشد: { $detail }
common-refused-rate_limited = درخواست‌ها فعلاً زیاد است. پس از { $seconds } ثانیه دوباره کوشش کنید.
common-refused-not_found = برای آنچه دادید چیزی پیدا نشد. آن را بررسی کنید و دوباره کوشش کنید.
common-refused-window_full = این نوبت پر است. نوبت دیگری انتخاب کنید.
common-refused-flight_full = این پرواز پر است. پرواز دیگری انتخاب کنید.
common-refused-store_unavailable = سرور فعلاً به داده‌های خود دسترسی ندارد. کمی بعد دوباره کوشش کنید.
common-refused-shredded = داده‌های شخصی این عملیات از بین برده شد: هیچ چیزی خوانده یا افزوده نمی‌شود.
common-refused-forbidden = نقش شما اجازهٔ این کار را نمی‌دهد.
common-refused-out_of_scope = این جا از جاهای شما نیست.
common-refused-internal = در سرور مشکلی پیش آمد. دوباره کوشش کنید؛ اگر ادامه یافت، به گردانندهٔ سیستم بگویید.
common-refused-not_walking_to_rv = خانواده دیگر به نقطهٔ ملاقات خود نمی‌رود: مسیری برای دادن نیست.
common-session-ended = نشست شما پایان یافت. دوباره وارد شوید.
common-people = { $count ->
    [one] { $count } نفر
   *[other] { $count } نفر
  }
common-previous = قبلی
common-next = بعدی
common-close = بستن
common-cancel = لغو
common-save = ذخیره
common-refresh = تازه‌سازی
common-role-coordinator = هماهنگ‌کننده
common-role-hotline = کارمند خط تماس
common-role-escort = همراه
common-role-gate = مأمور دروازه
common-role-manifest = مأمور فهرست پرواز
common-role-auditor = بازرس
common-pages = صفحه‌ها
common-nav-dashboard = صفحهٔ اصلی
common-nav-map = نقشه
common-nav-plan = برنامه
common-nav-hotline = خط تماس
common-nav-gate = دروازه

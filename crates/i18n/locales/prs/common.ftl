# Words every page shares.
common-app-name = safeconduct
common-language = زبان
common-skip = رفتن به محتوای اصلی
common-sign-out = خروج
common-signed-in-as = وارد شده به نام { $name }
common-loading = در حال بارگیری…
common-offline = اتصال با سرور نیست. دوباره تلاش می‌شود…
common-error = انجام نشد: { $detail }
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

# Words every page shares.
common-app-name = safeconduct
common-language = اللغة
common-skip = انتقل إلى المحتوى الرئيسي
common-sign-out = تسجيل الخروج
common-signed-in-as = مسجّل الدخول باسم { $name }
common-loading = جارٍ التحميل…
common-offline = لا اتصال بالخادم. جارٍ إعادة المحاولة…
common-error = لم تنجح العملية: { $detail }
common-session-ended = انتهت جلستك. سجّل الدخول مرة أخرى.
common-people = { $count ->
    [one] شخص واحد
    [two] شخصان
    [few] { $count } أشخاص
   *[other] { $count } شخصًا
  }
common-previous = السابق
common-next = التالي
common-close = إغلاق
common-cancel = إلغاء
common-save = حفظ
common-refresh = تحديث
common-role-coordinator = منسّق
common-role-hotline = موظف الخط الساخن
common-role-escort = مرافق
common-role-gate = موظف البوابة
common-role-manifest = موظف قوائم الركاب
common-role-auditor = مدقق
common-pages = الصفحات
common-nav-dashboard = لوحة المتابعة
common-nav-map = الخريطة
common-nav-plan = الخطة
common-nav-hotline = الخط الساخن
common-nav-gate = البوابة

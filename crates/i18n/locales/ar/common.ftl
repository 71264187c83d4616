# Words every page shares.
common-app-name = safeconduct
common-language = اللغة
common-skip = انتقل إلى المحتوى الرئيسي
common-sign-out = تسجيل الخروج
common-signed-in-as = مسجّل الدخول باسم { $name }
common-loading = جارٍ التحميل…
common-offline = لا اتصال بالخادم. جارٍ إعادة المحاولة…
common-error = لم تنجح العملية: { $detail }
common-page-for = هذه الصفحة للأدوار: { $roles }. أدوارك في هذه العملية: { $yours }. استخدم الروابط أعلاه، أو سجّل الخروج وادخل بحساب آخر.
common-refused-rate_limited = طلبات كثيرة في الوقت الحالي. أعد المحاولة بعد { $seconds } ثانية.
common-refused-not_found = لم يُعثر على شيء بما قدّمته. تحقّق منه وأعد المحاولة.
common-refused-window_full = هذه الفترة ممتلئة. اختر فترة أخرى.
common-refused-flight_full = هذه الرحلة ممتلئة. اختر رحلة أخرى.
common-refused-flight_already_scheduled = هذه الرحلة مجدولة بالفعل: رحلة بالرقم نفسه تغادر في هذا الوقت. راجع قائمة الرحلات.
common-refused-flight_has_manifest = على قائمة ركاب هذه الرحلة أشخاص: غيّر موعد إقلاعها بدل حذفها.
common-refused-store_unavailable = لا يصل الخادم إلى بياناته الآن. أعد المحاولة بعد قليل.
common-refused-shredded = أُتلفت البيانات الشخصية لهذه العملية: لا يمكن قراءة شيء أو إضافته.
common-refused-forbidden = دورك لا يسمح بهذا.
common-refused-out_of_scope = هذا المكان ليس من أماكنك.
common-refused-internal = حدث خطأ في الخادم. أعد المحاولة؛ وإن استمر فأبلغ المشغّل.
common-refused-not_walking_to_rv = لم تعد الأسرة تسير إلى نقطة التجمع الخاصة بها: لا طريق يُعطى.
common-refused-rv_not_receiving = نقطة تجمع هذه الأسرة لا تستقبل أحدًا الآن (معلّقة أو مغلقة): لا ترسل أحدًا إليها.
common-refused-illegal_transition = لم تعد الأسرة في المرحلة التي تنطبق عليها هذه الخطوة. حدّث الصفحة لترى أين هي الآن.
common-refused-conflict = لا يمكن القيام بهذا في الوضع الحالي.
common-expected-something = { $field }: املأ هذا الحقل.
common-expected-shorter = { $field }: { $max } حرفًا على الأكثر.
common-expected-character = { $field }: احذف الحرف المخفي أو الخاص { $character }؛ النص المنسوخ من مكان آخر يحمل مثله غالبًا.
common-expected-range = { $field }: رقم من { $min } إلى { $max }.
common-expected-form = { $field }: غير مقبول. { $hint } ({ $reason })
common-expected-after_start = { $field }: يجب أن يكون بعد البداية.
common-expected-future = { $field }: يجب أن يكون بعد الآن.
common-expected-not_future = { $field }: لا يمكن أن يكون في المستقبل.
common-expected-within = { $field }: { $hours } ساعة على الأكثر بعد البداية.
common-expected-near = { $field }: خارج منطقة العملية، على بعد أكثر من { $km } كم من كل نقطة تجمع وكل بوابة. تحقّق من أن خط العرض وخط الطول غير متبادلين.
common-expected-user = { $field }: لا يعمل أي مستخدم بهذا الاسم بصفة { $role } في هذه العملية.
common-expected-other = { $field }: غير مقبول ({ $reason }).
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

# تطبيق قارئ التصاريح (/scanner/)، يعمل دون شبكة.
scanner-title = قارئ التصاريح
scanner-enrol-title = تسجيل هذا الجهاز
scanner-enrol-intro = يعطيك المنسق رقم الجهاز ورمزاً لمرة واحدة، أو رمز QR يحملهما معاً. يعمل الرمز مرة واحدة فقط، ولمدة ساعة. سجّل الدخول أولاً في العملية التي تعمل لها.
scanner-device = رقم الجهاز
scanner-code-label = رمز التسجيل (مثلاً K7QM-2XD9-FH3T-8WPA)
scanner-enrol-button = سجّل وحمّل حزمة الميدان
scanner-enrolled = سُجّل الجهاز وحُمّلت حزمة الميدان. يعمل من الآن دون شبكة.
scanner-scan-title = فحص تصريح
scanner-place = مكان وقوفك
scanner-rv-name = نقطة التجمع { $id }
scanner-gate-name = البوابة { $id }
scanner-device-name = الجهاز { $device }، العملية { $operation }
scanner-camera-label = صورة الكاميرا: ضع رمز QR الخاص بالتصريح داخل الإطار
scanner-camera-start = تشغيل الكاميرا
scanner-camera-stop = إيقاف الكاميرا
scanner-camera-failed = تعذّر تشغيل الكاميرا. اكتب نص التصريح أو الصقه أدناه بدلاً من ذلك.
scanner-enrol-camera-failed = تعذّر تشغيل الكاميرا. اكتب بدلاً من ذلك رقم الجهاز والرمز الظاهرين على شاشة المنسّق أدناه.
scanner-holder-legend = الوثيقة التي يقدمها الحامل (اختياري)
scanner-holder-document = رقم الوثيقة
scanner-holder-year = سنة الميلاد المدونة في الوثيقة
scanner-pass-text = نص التصريح (إن لم تستطع الكاميرا قراءته)
scanner-check-button = افحص هذا التصريح
scanner-batches-title = المجموعات
scanner-no-batch = دون مجموعة
scanner-batch-name = المجموعة { $batch }
scanner-batch-line = المجموعة { $batch } إلى البوابة { $gate }: الأسر { $households }، الأشخاص { $people }
scanner-admit-into = القبول في
scanner-batch-gate = البوابة التي تسير إليها المجموعة الجديدة
scanner-batch-open = فتح مجموعة
scanner-batch-opened = فُتحت المجموعة { $batch } متجهةً إلى البوابة { $gate }.
scanner-depart-batch = المجموعة المغادرة
scanner-head-count = عدد الأشخاص عند الباب
scanner-depart-button = سجّل المغادرة
scanner-head-count-needed = اختر مجموعة مفتوحة وعدّ شخصاً واحداً على الأقل.
scanner-departed = غادرت المجموعة { $batch } مع { $count ->
    [one] شخص واحد
    [two] شخصان
    [few] { $count } أشخاص
   *[other] { $count } شخصًا
  }.
scanner-departed-differs = غادرت المجموعة { $batch } مع { $count } أشخاص معدودين، لكن { $admitted } قُبلوا فيها. سيرى المنسق هذا الفرق.
scanner-sync-title = إرسال السجلات
scanner-sync-button = أرسل الآن
scanner-kit-button = حدّث حزمة الميدان
scanner-signin-needed = سجّل الدخول لتسجيل هذا الجهاز وإرسال السجلات وتحديث الحزمة. فحص التصاريح يعمل دون تسجيل الدخول.
scanner-synced = أُرسلت { $received } سجلات. الحوادث المبلغ عنها: { $incidents }.
scanner-kit-loaded = حُدّثت حزمة الميدان.
scanner-kit-expires = حزمة الميدان صالحة حتى { $time }.
scanner-kit-expired = انتهت صلاحية حزمة الميدان في { $time }: حدّثها.
scanner-kit-expired-refuse = انتهت صلاحية حزمة الميدان: حدّثها قبل فحص التصاريح. لم يُسجَّل شيء.
scanner-clock-back-refuse = عادت ساعة هذا الهاتف إلى الوراء: اضبط التاريخ والوقت الصحيحين، ثم افحص التصريح مجددًا. إن كانا صحيحين الآن، فاضغط «أرسل الآن» وأنت متصل لجلب حزمة جديدة. لم يُسجَّل شيء.
scanner-kit-unusable = لا يمكن استخدام حزمة الميدان على هذا الجهاز ({ $reason }): حدّثها.
scanner-no-kit = لا توجد حزمة ميدان
scanner-online = متصل
scanner-offline = غير متصل
scanner-pending = بانتظار الإرسال: { $count }
scanner-list-age = قائمة الإلغاء: عمرها { $hours } ساعة
scanner-verdict-admit = اقبل
scanner-verdict-refuse = ارفض
scanner-code = الرمز: { $code }
scanner-people = الأشخاص: { $count }
scanner-window = النافذة: من { $start } إلى { $end }
scanner-admit-button = اقبل { $count } أشخاص
scanner-admitted = قُبل { $count ->
    [one] شخص واحد
    [two] شخصان
    [few] { $count } أشخاص
   *[other] { $count } شخصًا
  } في المجموعة { $batch }.
scanner-refusal-recorded = سُجّل الرفض.
scanner-next-button = التصريح التالي
scanner-arrive-people = الأشخاص الذين وصلوا
scanner-arrive-button = سجّل الوصول
scanner-check-in-button = سجّل التسليم
scanner-people-range = أدخل عدداً بين 1 و { $max } أشخاص.
scanner-arrival-recorded = سُجّل الوصول.
scanner-check-in-recorded = سُجّل التسليم.
scanner-stale-warning = تنبيه: عمر قائمة الإلغاء { $hours } ساعة. حدّث الحزمة في أقرب وقت.
scanner-holder-unbound = هذا التصريح غير مرتبط بأي وثيقة: تحقق من هوية حامله بطريقة أخرى.
scanner-reason-valid = تصريح صالح.
scanner-reason-wrong-rv = تصريح أصلي، لكنه لنقطة تجمع أخرى: لا يملك هذا الجهاز مفتاحه.
scanner-reason-wrong-rv-here = تصريح صالح، لكنه لنقطة تجمع أخرى (RV { $rv }).
scanner-reason-early = مبكر جداً: تفتح النافذة بعد { $minutes ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $minutes } دقائق
   *[other] { $minutes } دقيقة
  }.
scanner-reason-late = متأخر جداً: أُغلقت النافذة قبل { $minutes ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $minutes } دقائق
   *[other] { $minutes } دقيقة
  }.
scanner-reason-not-yet-valid = غير صالح بعد: يصبح هذا التصريح صالحاً بعد { $minutes ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $minutes } دقائق
   *[other] { $minutes } دقيقة
  }.
scanner-reason-expired = منتهي الصلاحية منذ { $minutes ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $minutes } دقائق
   *[other] { $minutes } دقيقة
  }.
scanner-reason-status-list-stale = عمر قائمة الإلغاء { $hours } ساعة: حدّث حزمة الميدان قبل قبول أي شخص.
scanner-reason-revoked = ملغى: هذا التصريح لم يعد صالحاً.
scanner-reason-superseded = مُستبدل: صدر تصريح أحدث لهذه الأسرة.
scanner-reason-unknown-key = مفتاح غير معروف: هذا التصريح ليس من عملية يعرفها هذا الجهاز.
scanner-reason-bad-signature = مزور أو تالف: التوقيع غير مطابق.
scanner-reason-holder-mismatch = الوثيقة المقدمة لا تخص هذا التصريح.
scanner-reason-not-a-pass = ليس تصريحاً.
scanner-reason-old-format = هذا التصريح بصيغة قديمة ويجب إعادة إصداره.
scanner-reason-status-list-missing = لا توجد قائمة إلغاء على هذا الجهاز: حمّل حزمة الميدان.
scanner-reason-clock-behind = ساعة هذا الجهاز متأخرة أكثر من يوم عن قائمة الإلغاء: اضبط التاريخ والوقت الصحيحين، ثم افحص التصريح مجددًا.
scanner-reason-tier-unreadable = تصريح أصلي، لكن هذا الجهاز لا يملك مفتاح قراءة تفاصيله.
scanner-error-offline = لا توجد شبكة: تبقى السجلات على هذا الجهاز وتُرسل لاحقاً.
scanner-error-busy = الخادم مشغول: تبقى السجلات على هذا الجهاز وتُرسل مرة أخرى بعد قليل.
scanner-error-signin = سجّل الدخول مجدداً للمتابعة.
scanner-error-not-found = غير موجود: تحقق من رقم الجهاز والرمز.
scanner-error-suspended = هذا الجهاز موقوف: راجع المنسق.
scanner-error-refused = رفض الخادم ({ $code }): { $message }
scanner-wipe-title = مسح هذا الجهاز
scanner-wipe-intro = يحذف المفتاح وحزمة الميدان والسجلات غير المرسلة، ويُبلغ الخادم بأن المفتاح لم يعد صالحاً.
scanner-wipe-button = امسح كل شيء الآن
scanner-wipe-confirm = هل تريد مسح هذا الجهاز؟ ستضيع السجلات غير المرسلة.
scanner-wipe-unreported = تعذّر إبلاغ الخادم ({ $reason }). اطلب من المنسق إيقاف هذا الجهاز.
scanner-wiped = مُسح هذا الجهاز.
scanner-wiped-by-coordinator = أوقف المنسق هذا الجهاز: لقد مُسح.
scanner-status-label = حالة الجهاز
scanner-signin-link = تسجيل الدخول
scanner-code-hint = حروف وأرقام؛ لا تهم الشرطات والمسافات.
scanner-enrol-scan = امسح رمز QR الخاص بالمنسق
scanner-enrol-camera-label = عرض الكاميرا: ضع رمز QR للتسجيل الذي يعرضه المنسق داخل الإطار
scanner-enrol-qr-not = هذا ليس رمز QR للتسجيل: اعرض على الكاميرا رمز QR الذي تعطيه شاشة المنسق لهذا الجهاز.
scanner-enrol-qr-other-op = هذا الرمز يسجّل جهازاً في العملية { $operation }: سجّل الدخول إلى تلك العملية أولاً.
scanner-kit-dropped = رفض الخادم جلسة هذا الجهاز: حُذفت حزمة الميدان من الجهاز. سجّل الدخول مجدداً لتحميل حزمة جديدة.
scanner-no-kit-refuse = لا توجد حزمة ميدان على هذا الجهاز: سجّل الدخول وحمّل واحدة قبل فحص التصاريح. لم يُسجَّل شيء.

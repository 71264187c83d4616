# لوحة الخط الساخن: موظفو الخط الساخن والمنسقون.
hotline-title = الخط الساخن
hotline-who = لموظفي الخط الساخن والمنسقين. تعرض ملف المتصل دون أسماء أو هواتف أو وثائق: مرحلته ونقطة تجمعه والطريق إليها حول المخاطر.
hotline-lookup = البحث عن متصل
hotline-phone = رقم الهاتف
hotline-phone-hint = أي صيغة شائعة: +93…، 0093…، 07…
hotline-reference = رقم الملف
hotline-reference-hint = ثمانية أحرف وأرقام كما على التصريح، مثل K7M4-Q2XP.
hotline-find = بحث
hotline-lookup-empty = أدخل رقم هاتف أو رقم ملف.
hotline-none-found = لم يُعثر على أي ملف.
hotline-open-case = { $reference }: { $stage }، { $size ->
    [one] شخص واحد
    [two] شخصان
    [few] { $size } أشخاص
   *[other] { $size } شخصًا
  }
hotline-case = الملف { $reference }
hotline-size = الأشخاص
hotline-calls = المكالمات حتى الآن
hotline-rv = نقطة التجمع
hotline-rv-status = حالتها
hotline-window = الفترة
hotline-no-rv = لم تُحدد بعد
hotline-hazards-near = مخاطر قرب نقطة التجمع: { $count }
hotline-rv-proposed = مقترحة
hotline-rv-agreed = متفق عليها
hotline-rv-active = نشطة
hotline-rv-suspended = معلقة: لا ترسل أحدًا إليها
hotline-rv-closed = مغلقة: لا ترسل أحدًا إليها
hotline-position = أين المتصل؟
hotline-position-hint = انقر على الخريطة حيث يوجد المتصل، أو ابحث عن مكان أو شارع يذكره.
hotline-place = مكان أو شارع يذكره المتصل
hotline-place-find = البحث عن المكان
hotline-place-none = لا يوجد مكان بهذا الاسم على الخريطة.
hotline-place-landmark = مكان
hotline-place-street = شارع
hotline-route-language = لغة الإرشادات
hotline-from-none = لا يوجد موقع بعد.
hotline-from-map = من الخريطة: { $lat }، { $lon }
hotline-from-place = من: { $name }
hotline-map = الخريطة
hotline-map-label = الخريطة: موقع المتصل والطريق إلى نقطة التجمع والمخاطر
hotline-route = الطريق لقراءته
hotline-route-summary = { $metres } م، نحو { $minutes ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $minutes } دقائق
   *[other] { $minutes } دقيقة
  } سيرًا؛ يلتف حول { $hazards } من المخاطر القائمة.
hotline-sms = كرسالة
hotline-no-route = لا طريق: { $detail }
hotline-not-walking = لا طريق: الأسرة في مرحلة «{ $stage }» ولم تعد تسير إلى نقطة التجمع الخاصة بها.
hotline-call = تسجيل المكالمة
hotline-outcome = النتيجة
hotline-outcome-guided = أُرشد عبر الهاتف
hotline-outcome-route_sent = أُرسل الطريق برسالة
hotline-outcome-call_back = يُعاد الاتصال
hotline-outcome-no_answer = لا رد
hotline-outcome-not_resolved = لم تُحل
hotline-notes = ملاحظات (تُحفظ مختومة)
hotline-send-route = إرسال الطريق برسالة
hotline-send-needs-position = لإرسال الطريق، حدد موقع المتصل أولًا.
hotline-log = تسجيل المكالمة
hotline-logged = سُجلت المكالمة.
hotline-logged-sent = سُجلت المكالمة؛ الرسالة في قائمة الإرسال.
hotline-logged-window-changed = سُجلت المكالمة، لكن موعد الأسرة تغيّر أثناء المكالمة. يعرض الملف الآن الموعد الجديد: عاوِد الاتصال وأخبرهم به.
hotline-messages = الرسائل إلى هذا الملف
hotline-col-kind = الرسالة
hotline-col-status = التسليم
hotline-col-attempts = المحاولات
hotline-col-time = الوقت
hotline-col-stage = المرحلة
hotline-col-called = تم الاتصال
hotline-col-why = السبب
hotline-kind-pass_link = رابط التصريح
hotline-kind-new_window = فترة جديدة
hotline-kind-route = الطريق
hotline-status-pending = بانتظار الإرسال
hotline-status-sent = أُرسلت
hotline-status-failed = فشلت
hotline-worklist = للاتصال
hotline-worklist-hint = الأسر التي عُلّقت نقطة تجمعها (مع تعيينها الجديد بعد إعادة التخطيط)، والأسر التي لم تبلغها أي رسالة بفترتها الجديدة (لا هاتف لديها، أو فشلت الرسالة). أخبرهم أين ومتى، ثم سجّل المكالمة على أنها «أُرشد عبر الهاتف».
hotline-worklist-count = ما زال يجب الاتصال بـ: { $left } من { $all }.
hotline-worklist-empty = لا أحد للاتصال به.
hotline-not-called = لم يُتصل بعد
hotline-why-rv_suspended = نقطة التجمع معلقة
hotline-why-new_window_untold = لم تُبلَّغ الفترة الجديدة برسالة
hotline-stage-registered = مسجّل
hotline-stage-documents_verified = تم التحقق من الوثائق
hotline-stage-eligible = مؤهل
hotline-stage-assigned = مُعيَّن
hotline-stage-pass_issued = صدر التصريح
hotline-stage-admitted_at_rv = قُبل في نقطة التجمع
hotline-stage-in_escort = مع مرافق
hotline-stage-arrived_at_gate = وصل إلى البوابة
hotline-stage-processed = تمت معالجته
hotline-stage-manifested = في قائمة رحلة
hotline-stage-boarded = صعد إلى الطائرة
hotline-stage-rejected = مرفوض
hotline-stage-withdrawn = انسحب
hotline-stage-no_show = لم يحضر
hotline-stage-reassigned = أُعيد تعيينه
hotline-stage-unaccounted = مفقود

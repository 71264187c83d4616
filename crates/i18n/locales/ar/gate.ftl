# شاشة البوابة: ضباط البوابة (والمنسقون)؛ بواباتهم فقط.
gate-title = البوابة
gate-who = لضباط البوابة. ترى مجموعات بواباتك وأعدادها فقط، ولا ترى قائمة بالأشخاص أبدًا.
gate-choose = البوابة
gate-no-gates = لم تُسنَد إليك أي بوابة. اسأل المنسق.
gate-alarms = إنذارات
gate-alarm-overdue = المجموعة { $id }: { $count } أسر تجاوزت الموعد ولم تصل. أبلغ المنسق الآن.
gate-alarm-closed-short = أُغلقت المجموعة { $id } وينقصها { $count } أشخاص. تم تنبيه المنسق.
gate-alarm-unaccounted = { $count } أشخاص من مجموعات هذه البوابة مجهولو المصير.
gate-counts = في هذه البوابة
gate-on-the-way = في الطريق
gate-arrived-count = وصلوا
gate-processed-count = سُجِّلوا
gate-unaccounted-count = مجهولو المصير
gate-batches = مجموعات في الطريق
gate-no-batches = لا توجد مجموعة في الطريق إلى هذه البوابة.
gate-batch-name = المجموعة { $id }
gate-heads = وصل { $arrived } من { $departed } أشخاص
gate-households = الأسر: { $count }
gate-departed = غادرت نقطة التجمع: { $time }
gate-deadline = يجب أن تصل قبل: { $time }
gate-close = إغلاق هذه المجموعة
gate-record = تسجيل أسرة
gate-batch = المجموعة التي سارت معها
gate-reference = المرجع المطبوع على التصريح
gate-reference-hint = كما هو مطبوع تحت الرمز، مثل K7M4-Q2XP.
gate-arrived = وصلت
gate-check-in = سُجِّلت
gate-reference-missing = أدخل المرجع المطبوع على التصريح.
gate-arrived-people = الأشخاص الذين وصلوا (عُدّوهم)
gate-arrived-people-hint = عند الوصول: العدد الذي عددتموه عند البوابة. من لم يصل من الأسرة يبقى في الطريق ويُبلَّغ عنه مفقودًا بعد الموعد النهائي.
gate-people-missing = عُدّوا أفراد هذه الأسرة الذين وصلوا، وأدخلوا عددهم.
gate-people-invalid = أدخلوا عدد الذين وصلوا: عددًا صحيحًا من 1 إلى 60.
gate-batch-missing = لا توجد مجموعة في الطريق: الوصول يحتاج إلى مجموعته.
gate-arrival-recorded = { $reference }: وصلت، { $count ->
    [one] شخص واحد
    [two] شخصان
    [few] { $count } أشخاص
   *[other] { $count } شخصًا
  }.
gate-check-in-recorded = { $reference }: سُجِّلت، { $count ->
    [one] شخص واحد
    [two] شخصان
    [few] { $count } أشخاص
   *[other] { $count } شخصًا
  }.
gate-not-found = لا توجد أسرة بهذا المرجع في هذه المجموعة أو هذه البوابة. تحقّق من المرجع.
gate-already-checked-in = { $reference } مسجّلة بالفعل.
gate-already-arrived = { $reference } محسوبة بالفعل على أنها وصلت.
gate-not-arrived = { $reference } لم تُحسب بعد على أنها وصلت: سجّل وصولها أولاً.
gate-live-on = مباشر: التحديثات تصل وحدها.
gate-live-off = غير متصل: قد تكون الأرقام قديمة. جارٍ إعادة الاتصال…

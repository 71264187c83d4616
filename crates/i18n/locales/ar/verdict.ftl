# What a pass check says to the person at the checkpoint or the gate: { $n } minutes (hours for the status list's age), { $rv } a rendezvous point.
verdict-valid = تصريح صالح.
verdict-wrong-rv = تصريح صالح، لكنه لنقطة تجمع أخرى (RV { $rv }).
verdict-for-another-place = تصريح أصلي، لكنه لنقطة تجمع أخرى: لا يملك هذا الجهاز مفتاحه.
verdict-not-yet-valid = غير صالح بعد: يصبح هذا التصريح صالحاً بعد { $n ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $n } دقائق
   *[other] { $n } دقيقة
  }.
verdict-old-format = هذا التصريح بصيغة قديمة ويجب إعادة إصداره.
verdict-holder-unbound = هذا التصريح غير مرتبط بأي وثيقة: تحقق من هوية حامله بطريقة أخرى.
verdict-early = مبكر جداً: تفتح النافذة بعد { $n ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $n } دقائق
   *[other] { $n } دقيقة
  }.
verdict-late = متأخر جداً: أُغلقت النافذة قبل { $n ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $n } دقائق
   *[other] { $n } دقيقة
  }.
verdict-revoked = ملغى: هذا التصريح لم يعد صالحاً.
verdict-superseded = مُستبدل: صدر تصريح أحدث لهذه الأسرة.
verdict-expired = منتهي الصلاحية منذ { $n ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $n } دقائق
   *[other] { $n } دقيقة
  }.
verdict-unknown-key = مفتاح غير معروف: هذا التصريح ليس من عملية يعرفها هذا الجهاز.
verdict-bad-signature = مزور أو تالف: التوقيع غير مطابق.
verdict-holder-mismatch = الوثيقة المقدمة لا تخص هذا التصريح.
verdict-not-a-pass = ليس تصريحاً.
verdict-status-stale = عمر قائمة الإلغاء { $n } ساعة: حدّث حزمة الميدان قبل قبول أي شخص.
verdict-status-missing = لا توجد قائمة إلغاء على هذا الجهاز: حمّل حزمة الميدان.
verdict-clock-behind = ساعة هذا الجهاز متأخرة أكثر من يوم عن قائمة الإلغاء: اضبط التاريخ والوقت الصحيحين، ثم افحص التصريح مجددًا.
verdict-tier-unreadable = تصريح أصلي، لكن هذا الجهاز لا يملك مفتاح قراءة تفاصيله.
verdict-stale-warning = تنبيه: عمر قائمة الإلغاء { $n } ساعة.

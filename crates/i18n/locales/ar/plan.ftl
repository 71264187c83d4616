# التخطيط: للمنسقين فقط؛ أرقام بلا أسماء.
plan-title = الخطة
plan-who = للمنسقين. الخطة معاينة حتى تقبلها؛ تعرض أرقامًا لا أسماء.
plan-settings = الإعدادات
plan-batch-size = عدد الأشخاص في كل مجموعة مرافقة
plan-batch-size-hint = من 12 إلى 1000.
plan-batch-size-wrong = يجب أن يكون عدد الأشخاص في المجموعة عددًا صحيحًا من 12 إلى 1000.
plan-max-travel = أطول طريق إلى نقطة التجمع (دقائق)
plan-max-travel-hint = لا يُرسَل أحد أبعد من ذلك. من 10 إلى 1440.
plan-max-travel-wrong = يجب أن يكون أطول طريق عددًا صحيحًا من الدقائق من 10 إلى 1440.
plan-run = احسب خطة
plan-replan = أعد التخطيط بعد تغيير
plan-working = جارٍ حساب الخطة…
plan-preview-title = الخطة { $id }
plan-replan-title = إعادة التخطيط { $id }
plan-preview-note = معاينة حُسبت في { $time }. لا يتغير شيء حتى تقبلها.
plan-accepted-at = قُبلت في { $time }.
plan-people-placed = الأشخاص الموزَّعون
plan-households-placed = الأسر الموزَّعة
plan-households-unplaced = الأسر غير الموزَّعة
plan-gap = الفارق عن الأفضل الممكن
plan-travel-total = التنقل لكل الموزَّعين
plan-hours = { $value } ساعة‑شخص
plan-travel-mean = التنقل لكل شخص
plan-minutes = { $value ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $value } دقائق
   *[other] { $value } دقيقة
  }
plan-batches = مجموعات المرافقة
plan-moves = أسر تُمنح موعدًا
plan-per-class = الأشخاص حسب فئة الأولوية
plan-per-class-caption = الموزَّعون وغير الموزَّعين، الأولوية الأعلى أولًا.
plan-class = فئة الأولوية
plan-placed = موزَّعون
plan-unplaced = غير موزَّعين
plan-class-medical = حالات طبية
plan-class-unaccompanied-minor = قاصرون غير مصحوبين
plan-class-elderly = كبار السن
plan-class-disability = إعاقة
plan-class-other = آخرون
plan-why-unplaced = لماذا بقيت أسر دون توزيع
plan-none-unplaced = كل الأسر المؤهلة موزَّعة.
plan-reason-line = { $reason }: { $count ->
    [one] أسرة واحدة
    [two] أسرتان
    [few] { $count } أسر
   *[other] { $count } أسرة
  }
plan-reason-no-allowed-rv = لا تناسبها أي نقطة تجمع
plan-reason-allowed-rvs-suspended = نقاط التجمع المناسبة لها معلّقة
plan-reason-allowed-windows-full = كل المواعيد المناسبة لها ممتلئة
plan-reason-pinned-window-unavailable = الموعد المحدد يدويًا لم يعد متاحًا
plan-reason-larger-than-the-largest-planned-household = أكبر مما يأخذه المخطِّط دفعة واحدة
plan-reason-its-window-closed-or-its-rv-has-no-gate = انتهى موعدها، أو لا بوابة لنقطة تجمعها
plan-accept = اقبل هذه الخطة
plan-nothing-to-accept = لا شيء لقبوله: هذه الخطة لا تعطي أي أسرة موعدًا جديدًا.
plan-accept-question = هل تُعطى { $count } أسرة مواعيدها وتُصدر تصاريحها الآن؟
plan-accept-yes = نعم، اقبل
plan-accepted = قُبلت: خُصِّصت { $count } أسر وصدرت تصاريحها؛ { $notices } تحتاج إلى إشعار.
plan-stale = تغيّرت العملية منذ هذه المعاينة. احسب الخطة من جديد.

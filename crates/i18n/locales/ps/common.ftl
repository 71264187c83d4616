# Words every page shares.
common-app-name = safeconduct
common-language = ژبه
common-skip = اصلي منځپانګې ته ورشئ
common-sign-out = وتل
common-signed-in-as = د { $name } په نوم ننوتي
common-loading = بارېږي…
common-offline = له سرور سره اړیکه نشته. بیا هڅه کېږي…
common-error = ونه شو: { $detail }
common-session-ended = ستاسو ناسته پای ته ورسېده. بیا ننوځئ.
common-people = { $count ->
    [one] { $count } تن
   *[other] { $count } تنه
  }
common-previous = مخکینی
common-next = بل
common-close = بندول
common-cancel = لغوه
common-save = ساتل
common-refresh = تازه کول
common-role-coordinator = همغږی کوونکی
common-role-hotline = د تلیفوني کرښې کارکوونکی
common-role-escort = ملګری ساتونکی
common-role-gate = د دروازې مامور
common-role-manifest = د الوتنې لېست مامور
common-role-auditor = پلټونکی
common-pages = پاڼې
common-nav-dashboard = ډشبورډ
common-nav-map = نقشه
common-nav-plan = پلان
common-nav-hotline = تلیفوني کرښه
common-nav-gate = دروازه

# Words every page shares.
common-app-name = safeconduct
common-language = ژبه
common-skip = اصلي منځپانګې ته ورشئ
common-sign-out = وتل
common-signed-in-as = د { $name } په نوم ننوتي
common-loading = بارېږي…
common-offline = له سرور سره اړیکه نشته. بیا هڅه کېږي…
common-error = ونه شو: { $detail }
common-refused-rate_limited = اوس ډېرې غوښتنې دي. له { $seconds } ثانیو وروسته بیا هڅه وکړئ.
common-refused-not_found = د هغه څه لپاره چې تاسو ورکړل څه و نه موندل شول. وې ګورئ او بیا هڅه وکړئ.
common-refused-window_full = دا وخت ډک دی. بل وټاکئ.
common-refused-flight_full = دا الوتنه ډکه ده. بله وټاکئ.
common-refused-store_unavailable = سرور اوس خپلو معلوماتو ته نه رسېږي. لږ وروسته بیا هڅه وکړئ.
common-refused-shredded = د دې عملیات شخصي معلومات له منځه وړل شوي: هېڅ نه لوستل کېږي او نه ورزیاتېږي.
common-refused-forbidden = ستاسو رول د دې کار اجازه نه ورکوي.
common-refused-out_of_scope = دا ځای ستاسو له ځایونو څخه نه دی.
common-refused-internal = په سرور کې ستونزه پېښه شوه. بیا هڅه وکړئ؛ که دوام یې وکړ، چلوونکي ته ووایاست.
common-refused-not_walking_to_rv = کورنۍ نور خپل د لیدنې ځای ته نه ځي: د ورکولو لپاره لار نشته.
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

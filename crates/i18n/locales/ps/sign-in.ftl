# The sign-in page: open to anyone; it shows nothing until the server accepts the account.
signin-title = ننوتل
signin-who = د ټولو لپاره پرانیستی. له ننوتلو وروسته یوازې هغه وینئ چې ستاسو دنده یې اجازه ورکوي.
signin-username = د حساب نوم
signin-password = پټنوم
signin-code = یو ځلي کوډ
signin-code-hint = همغږي کوونکي: د تایید اپلیکیشن شپږ عددونه. نور یې تش پرېږدي.
signin-submit = ننوتل
signin-working = ننوتل کېږي…
signin-failed = د حساب نوم، پټنوم یا یو ځلي کوډ غلط دی.
signin-too-many = ډېرې هڅې. څو دقیقې انتظار وکړئ او بیا هڅه وکړئ.
signin-choose = نن چېرته کار کوئ؟
signin-no-role = دا حساب په هیڅ عملیات کې دنده نه لري. له همغږي کوونکي وپوښتئ.
signin-open = { $page } پرانیزئ
signin-page-dashboard = د همغږۍ ډشبورډ
signin-page-hotline = د تلیفوني کرښې میز
signin-page-gate = د دروازې پرده
signin-page-scanner = سکنر

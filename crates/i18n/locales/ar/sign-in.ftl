# The sign-in page: open to anyone; it shows nothing until the server accepts the account.
signin-title = تسجيل الدخول
signin-who = مفتوحة للجميع. بعد تسجيل الدخول لا ترى إلا ما يسمح به دورك.
signin-username = اسم الحساب
signin-password = كلمة المرور
signin-code = رمز لمرة واحدة
signin-code-hint = المنسّقون: الأرقام الستة من تطبيق المصادقة. يتركه الآخرون فارغًا.
signin-submit = دخول
signin-working = جارٍ تسجيل الدخول…
signin-failed = اسم الحساب أو كلمة المرور أو الرمز غير صحيح.
signin-too-many = محاولات كثيرة. انتظر بضع دقائق ثم حاول مجددًا.
signin-choose = أين تعمل اليوم؟
signin-no-role = ليس لهذا الحساب دور في أي عملية. اسأل منسّقًا.
signin-open = افتح { $page }
signin-page-dashboard = لوحة المنسّق
signin-page-hotline = وحدة الخط الساخن
signin-page-gate = شاشة البوابة
signin-page-scanner = الماسح

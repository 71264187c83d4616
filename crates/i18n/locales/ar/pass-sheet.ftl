# The printed pass sheet: what a household reads on paper, with its QR code. No names.
passsheet-title = تصريحك
passsheet-place = نقطة التجمع
passsheet-time = موعدك
passsheet-step-1 = احتفظ بهذه الورقة مخفية. لا تنشر صورة الرمز ولا ترسلها.
passsheet-step-2 = اذهب إلى نقطة التجمع في موعدك فقط، مع كل الأشخاص المذكورين في هذا التصريح.
passsheet-step-3 = أحضر وثيقة الهوية التي سجلت بها.
passsheet-step-4 = لا تُظهر الرمز إلا لفريق المرافقة عند النقطة، واتبع تعليماتهم.
passsheet-step-5 = إذا فُقدت هذه الورقة أو رآها غرباء، اتصل بالخط الساخن: سيصدر تصريح جديد ويُلغى هذا.

# The printed pass sheet: what a household reads on paper, with its QR code. No names.
passsheet-title = Ваша перепустка
passsheet-place = Пункт збору
passsheet-time = Ваш час
passsheet-step-1 = Тримайте цей аркуш у прихованому місці. Не публікуйте й не надсилайте фото коду.
passsheet-step-2 = Приходьте до пункту збору лише у свій час, разом з усіма людьми з цієї перепустки.
passsheet-step-3 = Візьміть документ, з яким ви реєструвалися.
passsheet-step-4 = Показуйте код лише супроводу на пункті збору й виконуйте їхні вказівки.
passsheet-step-5 = Якщо аркуш загублено або його бачили сторонні, телефонуйте на гарячу лінію: видадуть нову перепустку, а цю скасують.

# The printed pass sheet: what a household reads on paper, with its QR code. No names.
passsheet-title = ستاسو اجازه‌لیک
passsheet-place = د ټولیدو ځای
passsheet-time = ستاسو ټاکلی وخت
passsheet-step-1 = دا پاڼه پټه وساتئ. د کوډ عکس مه خپروئ او مه یې لېږئ.
passsheet-step-2 = یوازې په ټاکلي وخت کې د دې اجازه‌لیک له ټولو کسانو سره د ټولیدو ځای ته ورشئ.
passsheet-step-3 = هغه د پېژندنې سند راوړئ چې پرې مو نوم لیکنه کړې وه.
passsheet-step-4 = کوډ یوازې د ټولیدو ځای کې بدرګې ته وښایئ او د هغوی لارښوونې ومنئ.
passsheet-step-5 = که دا پاڼه ورکه شوه یا پردیو ولیده، د مرستې کرښې ته زنګ ووهئ: نوی اجازه‌لیک به درکړل شي او دا به لغوه شي.

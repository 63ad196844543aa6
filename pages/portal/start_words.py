"""The words of the self-service start page and of the fresh-link offer, in both languages."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Start a return",
        "intro": "Type your order number and the e-mail address or phone number you used "
        "for the order.",
        "order": "Order number",
        "contact": "E-mail or phone number",
        "submit": "Find my order",
        "not_found": "We could not find an order with these details. Check the order number "
        "and the e-mail or phone, as written on your order confirmation.",
        "throttled": "Too many attempts. Try again in {seconds} seconds.",
        "required": "Fill in both fields.",
        "expired_title": "This return link has expired",
        "expired": "Return links work for a limited time. We can e-mail a new one to the "
        "address on your order.",
        "send": "E-mail me a new link",
        "sent_title": "Check your e-mail",
        "sent": "If your order has an e-mail address, a new return link is on its way to it.",
        "or_start": "Or start again with your order number:",
        "kept": "Your link expired while you were filling in the form. What you typed is "
        "kept below: confirm your e-mail or phone to continue.",
    },
    "ar": {
        "title": "ابدأ الإرجاع",
        "intro": "اكتب رقم الطلب والبريد الإلكتروني أو رقم الهاتف الذي استخدمته في الطلب.",
        "order": "رقم الطلب",
        "contact": "البريد الإلكتروني أو رقم الهاتف",
        "submit": "ابحث عن طلبي",
        "not_found": "لم نجد طلبًا بهذه البيانات. تحقق من رقم الطلب ومن البريد الإلكتروني أو "
        "الهاتف كما هي في تأكيد الطلب.",
        "throttled": "محاولات كثيرة. حاول مرة أخرى بعد {seconds} ثانية.",
        "required": "املأ الحقلين.",
        "expired_title": "انتهت صلاحية رابط الإرجاع",
        "expired": "تعمل روابط الإرجاع لمدة محدودة. يمكننا إرسال رابط جديد إلى البريد "
        "الإلكتروني المسجل في طلبك.",
        "send": "أرسل لي رابطًا جديدًا",
        "sent_title": "تحقق من بريدك الإلكتروني",
        "sent": "إذا كان لطلبك بريد إلكتروني، فالرابط الجديد في طريقه إليه.",
        "or_start": "أو ابدأ من جديد برقم الطلب:",
        "kept": "انتهت صلاحية الرابط أثناء تعبئة النموذج. احتفظنا بما كتبته أدناه: أكّد "
        "بريدك الإلكتروني أو هاتفك للمتابعة.",
    },
}

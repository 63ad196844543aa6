"""Our own wording of every customer e-mail, in English and Arabic. A merchant's template
(per event and language) replaces the subject and body; the labels around the details and
the footer stay ours, so they are translated whatever the merchant writes."""

from __future__ import annotations

from domain.customer_messages import MessageEvent

E = MessageEvent

SUBJECTS: dict[str, dict[MessageEvent, str]] = {
    "en": {
        E.REQUESTED: "We received your return request {request_id}",
        E.APPROVED: "Your return {request_id} is approved",
        E.REJECTED: "Your return {request_id} was not approved",
        E.RECEIVED: "The items of your return {request_id} arrived",
        E.REFUNDED: "Refund of {amount} for your return {request_id}",
        E.ON_HOLD: "Your return {request_id} is on hold",
        E.CANCELLED: "Your return {request_id} was cancelled",
        E.COMPLETED: "Your return {request_id} is complete",
        E.SHIPMENT_UPDATED: "News about the parcel of your return {request_id}",
        E.PORTAL_LINK: "Your return link for order {order}",
        E.STAFF_INVITATION: "You are invited to the returns desk of {brand}",
        E.STAFF_PASSWORD_RESET: "Reset your returns desk password for {brand}",
    },
    "ar": {
        E.REQUESTED: "استلمنا طلب الإرجاع {request_id}",
        E.APPROVED: "تمت الموافقة على الإرجاع {request_id}",
        E.REJECTED: "لم تتم الموافقة على الإرجاع {request_id}",
        E.RECEIVED: "وصلت منتجات الإرجاع {request_id}",
        E.REFUNDED: "استرداد {amount} عن الإرجاع {request_id}",
        E.ON_HOLD: "الإرجاع {request_id} معلّق مؤقتًا",
        E.CANCELLED: "أُلغي الإرجاع {request_id}",
        E.COMPLETED: "اكتمل الإرجاع {request_id}",
        E.SHIPMENT_UPDATED: "تحديث على شحنة الإرجاع {request_id}",
        E.PORTAL_LINK: "رابط الإرجاع للطلب {order}",
        E.STAFF_INVITATION: "دعوة إلى مكتب المرتجعات لدى {brand}",
        E.STAFF_PASSWORD_RESET: "إعادة تعيين كلمة مرور مكتب المرتجعات لدى {brand}",
    },
}

LEADS: dict[str, dict[MessageEvent, str]] = {
    "en": {
        E.REQUESTED: "Thank you. We have your request to return items from order {order}. "
        "The shop will review it and write to you again.",
        E.APPROVED: "Good news: your return is approved. Send the items back as shown below.",
        E.REJECTED: "We are sorry: the shop could not approve your return.",
        E.RECEIVED: "Your parcel has arrived, and the shop is checking the items.",
        E.REFUNDED: "We have refunded {amount} for your return.",
        E.ON_HOLD: "Your return is on hold for the moment; the shop will write to you.",
        E.CANCELLED: "Your return was cancelled.",
        E.COMPLETED: "Your return is complete. Thank you.",
        E.SHIPMENT_UPDATED: "There is news about the parcel of your return.",
        E.PORTAL_LINK: "You asked for a new link to return items from order {order}. "
        "If you did not, ignore this e-mail.",
        E.STAFF_INVITATION: "An admin of {brand} has added you to their returns desk. Choose "
        "your password with the link below to sign in; everything you do there is recorded "
        "under your name.",
        E.STAFF_PASSWORD_RESET: "An admin of {brand} has asked for a new password for your "
        "returns desk account. Choose it with the link below; your open sessions end when "
        "you do. If you did not expect this, tell your admin.",
    },
    "ar": {
        E.REQUESTED: "شكرًا لك. وصلنا طلبك لإرجاع منتجات من الطلب {order}. "
        "سيراجعه المتجر ويراسلك مرة أخرى.",
        E.APPROVED: "أخبار سارة: تمت الموافقة على طلب الإرجاع. أعد المنتجات كما هو موضح أدناه.",
        E.REJECTED: "نأسف، لم يتمكن المتجر من الموافقة على طلب الإرجاع.",
        E.RECEIVED: "وصلت شحنتك، ويقوم المتجر بفحص المنتجات.",
        E.REFUNDED: "رددنا إليك {amount} عن طلب الإرجاع.",
        E.ON_HOLD: "طلب الإرجاع معلّق مؤقتًا، وسيراسلك المتجر.",
        E.CANCELLED: "تم إلغاء طلب الإرجاع.",
        E.COMPLETED: "اكتمل طلب الإرجاع. شكرًا لك.",
        E.SHIPMENT_UPDATED: "هناك تحديث على شحنة الإرجاع.",
        E.PORTAL_LINK: "طلبت رابطًا جديدًا لإرجاع منتجات من الطلب {order}. "
        "إن لم تطلبه فتجاهل هذه الرسالة.",
        E.STAFF_INVITATION: "أضافك أحد مسؤولي {brand} إلى مكتب المرتجعات. اختر كلمة المرور "
        "من الرابط أدناه لتسجيل الدخول؛ يُسجَّل كل ما تفعله هناك باسمك.",
        E.STAFF_PASSWORD_RESET: "طلب أحد مسؤولي {brand} كلمة مرور جديدة لحسابك في مكتب "
        "المرتجعات. اخترها من الرابط أدناه؛ تنتهي جلساتك المفتوحة عند ذلك. إن لم تتوقع هذه "
        "الرسالة فأخبر المسؤول.",
    },
}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hello {name},",
        "hello_anonymous": "Hello,",
        "return": "Return",
        "order": "Order",
        "item_list": "Items",
        "label": "Shipping label",
        "label_link": "Download the label",
        "tracking": "Tracking number",
        "dropoff": "Drop-off address",
        "pickup": "Pickup address",
        "pickup_window": "Pickup window",
        "reason": "Reason",
        "amount": "Amount",
        "status_button": "See your return",
        "status_text": "Follow your return, and find your drop-off slip, here:",
        "link_button": "Start your return",
        "link_text": "The link works for a limited time:",
        "footer": "You receive this e-mail because of your order {order} with {brand}.",
        "reply": "Reply to this e-mail to reach {brand}.",
        "password_button": "Choose your password",
        "password_text": "The link works once, for a limited time. Do not pass it on:",
        "staff_footer": "You receive this e-mail because an admin of {brand} gave you a "
        "returns desk account.",
    },
    "ar": {
        "hello": "مرحبًا {name}،",
        "hello_anonymous": "مرحبًا،",
        "return": "الإرجاع",
        "order": "الطلب",
        "item_list": "المنتجات",
        "label": "ملصق الشحن",
        "label_link": "تنزيل الملصق",
        "tracking": "رقم التتبع",
        "dropoff": "عنوان التسليم",
        "pickup": "عنوان الاستلام",
        "pickup_window": "موعد الاستلام",
        "reason": "السبب",
        "amount": "المبلغ",
        "status_button": "عرض طلب الإرجاع",
        "status_text": "تابع طلب الإرجاع واعثر على إيصال التسليم هنا:",
        "link_button": "ابدأ الإرجاع",
        "link_text": "يعمل الرابط لمدة محدودة:",
        "footer": "تصلك هذه الرسالة بسبب طلبك {order} من {brand}.",
        "reply": "للتواصل مع {brand} رُدّ على هذه الرسالة.",
        "password_button": "اختر كلمة المرور",
        "password_text": "يعمل الرابط مرة واحدة ولمدة محدودة. لا تشاركه مع أحد:",
        "staff_footer": "تصلك هذه الرسالة لأن أحد مسؤولي {brand} أنشأ لك حسابًا في مكتب المرتجعات.",
    },
}

"""The portal's two languages: English and Arabic (right to left), chosen by `?lang=` or
the browser's Accept-Language. Words come from messages.py; dates and money are formatted for
the language by babel; reason names come from the merchant's own translations."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from aiohttp import web
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from markupsafe import Markup, escape

from pages.portal.messages import MESSAGES

log = logging.getLogger(__name__)
LANGUAGES = ("en", "ar")
RIGHT_TO_LEFT = {"ar"}
NAMES = {"en": "English", "ar": "العربية"}


def choose_language(request: web.Request) -> str:
    """`?lang=` when it names one we speak, else the best match of Accept-Language."""
    asked = request.query.get("lang", "")
    if asked in LANGUAGES:
        return asked
    wanted = [
        part.split(";")[0].strip() for part in request.headers.get("Accept-Language", "").split(",")
    ]
    found = Locale.negotiate([w for w in wanted if w], list(LANGUAGES), sep="-")
    return str(found) if found else "en"


@dataclass(frozen=True)
class Translator:
    lang: str

    @property
    def dir(self) -> str:
        return "rtl" if self.lang in RIGHT_TO_LEFT else "ltr"

    def __call__(self, key: str, **values: object) -> str:
        """The text in this language; a value already marked up (an isolated id) stays markup
        and the rest is escaped, so `t("title_order", order=ref | isolate)` renders as HTML."""
        text = MESSAGES[self.lang].get(key) or MESSAGES["en"][key]
        if any(isinstance(value, Markup) for value in values.values()):
            return Markup(escape(text)).format(**values)
        return text.format(**values) if values else text

    def date(self, value: date | datetime) -> str:
        return format_date(value, format="long", locale=self.lang)

    def datetime(self, value: datetime) -> str:
        return format_datetime(value, format="medium", locale=self.lang)

    def money(self, amount: Decimal, currency: str) -> str:
        return format_currency(amount, currency, locale=self.lang)

    def status(self, status: str) -> str:
        """A status in words. One the portal has no words for (a status added to the domain
        and not here yet) reads as itself, "Partially received", and is logged, rather than
        failing the customer's page; tests/unit/test_status_wording.py fails meanwhile."""
        key = f"status_{status.lower()}"
        if key in MESSAGES[self.lang] or key in MESSAGES["en"]:
            return self(key)
        log.warning("the portal has no words for return status %s", status)
        return status.replace("_", " ").capitalize()

"""One customer e-mail, rendered: subject, plain text and HTML in the customer's language.

Our layout (templates/layout.html, layout.txt) frames every message: the merchant's brand,
the language and direction (`lang`, `dir="rtl"` for Arabic), the details of the return and
the link to its status page. Inside it goes either our wording (words.py) or the
merchant's own template, rendered in jinja2's sandbox with autoescaping: a template is
configuration a merchant types, so it can neither reach Python objects nor inject markup
through the values it shows."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from delivery.mail.words import LABELS, LEADS, SUBJECTS
from domain.customer_messages import MessageEvent, MessageTemplate

log = logging.getLogger(__name__)
RIGHT_TO_LEFT = {"ar"}
FIRST_STRONG_ISOLATE, POP_ISOLATE = "\u2068", "\u2069"

_LAYOUTS = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def _blank_none(value: object) -> object:
    return "" if value is None else value


# Strict: a misspelt name or an attribute the sandbox forbids fails when the template is
# tried before saving, instead of quietly printing nothing to every customer.
_SANDBOX_HTML = SandboxedEnvironment(
    autoescape=True, undefined=jinja2.StrictUndefined, finalize=_blank_none
)
_SANDBOX_TEXT = SandboxedEnvironment(
    autoescape=False, undefined=jinja2.StrictUndefined, finalize=_blank_none
)


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    colour: str
    logo_url: str | None = None


@dataclass(frozen=True, slots=True)
class ItemLine:
    sku: str
    description: str
    quantity: int


@dataclass(frozen=True, slots=True)
class MailFacts:
    """Everything an e-mail may say, as plain text already formatted for its language:
    the values a merchant's template sees are these and nothing else."""

    event: MessageEvent
    language: str
    brand: Brand
    request_id: str
    order_reference: str
    status_url: str
    customer_name: str | None = None
    items: tuple[ItemLine, ...] = ()
    label_url: str | None = None
    tracking_number: str | None = None
    dropoff_address: str | None = None
    pickup_address: str | None = None
    pickup_window: str | None = None
    reason: str | None = None
    amount: str | None = None

    def values(self) -> dict[str, object]:
        """What a template may use, by name (items as plain mappings)."""
        values = asdict(self)
        values["brand_name"] = self.brand.name
        values["event"] = self.event.value
        values.pop("brand")
        return values


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    text: str
    html: str
    language: str
    headers: dict[str, str] = field(default_factory=dict)


def render(facts: MailFacts, template: MessageTemplate | None = None) -> Email:
    """The e-mail in the facts' language: the merchant's template when there is one and it
    renders; our wording otherwise (a broken template must not silence the customer)."""
    own = _merchant_parts(facts, template) if template is not None else None
    subject, lead_html, lead_text = own or _our_parts(facts)
    context = {
        "facts": facts,
        "lang": facts.language,
        "dir": "rtl" if facts.language in RIGHT_TO_LEFT else "ltr",
        "words": _labels(facts),
        "lead_html": lead_html,
        "lead_text": lead_text,
    }
    html = _LAYOUTS.get_template("layout.html").render(context)
    text = _LAYOUTS.get_template("layout.txt").render(context)
    return Email(subject=subject, text=text, html=html, language=facts.language)


SAMPLE = MailFacts(
    event=MessageEvent.REQUESTED,
    language="en",
    brand=Brand(name="Shop", colour="#0b57d0"),
    request_id="RR-SAMPLE1",
    order_reference="SO-1",
    status_url="https://returns.example/portal/status/sample",
    customer_name="Sam",
    items=(ItemLine("SKU-1", "A thing", 1),),
    label_url="https://carrier.example/label.pdf",
    tracking_number="TRK-1",
    dropoff_address="1 Main St",
    pickup_address="2 Side St",
    pickup_window="9:00 - 12:00",
    reason="Damaged",
    amount="AED 10.00",
)


def template_problem(template: MessageTemplate) -> str | None:
    """Why a merchant's template cannot be used (a syntax error, a forbidden attribute),
    or None: tried on sample facts before it is saved."""
    try:
        _render_parts(template, SAMPLE)
    except (jinja2.TemplateError, TypeError, ValueError) as problem:
        return str(problem) or type(problem).__name__
    return None


def _merchant_parts(facts: MailFacts, template: MessageTemplate) -> tuple[str, str, str] | None:
    try:
        return _render_parts(template, facts)
    except (jinja2.TemplateError, TypeError, ValueError):
        log.warning(
            "the %s template of merchant %s (%s) does not render; our wording is sent",
            template.event.value,
            template.merchant,
            template.language,
        )
        return None


def _render_parts(template: MessageTemplate, facts: MailFacts) -> tuple[str, str, str]:
    values = facts.values()
    subject = _SANDBOX_TEXT.from_string(template.subject).render(values)
    subject = " ".join(subject.split())  # one line: no header folding or injection
    html = _SANDBOX_HTML.from_string(template.html).render(values) if template.html else ""
    text = _SANDBOX_TEXT.from_string(template.text).render(values) if template.text else ""
    if not html:
        html = str(Markup("<p>{}</p>").format(text))
    if not text:
        text = _plain(html)
    return subject, html, text


def _our_parts(facts: MailFacts) -> tuple[str, str, str]:
    lang = facts.language
    subject = SUBJECTS[lang][facts.event]
    lead = LEADS[lang][facts.event]
    plain = {
        "request_id": _isolated_text(facts.request_id, lang),
        "order": _isolated_text(facts.order_reference, lang),
        "amount": _isolated_text(facts.amount or "", lang),
        "brand": _isolated_text(facts.brand.name, lang),
    }
    marked = {
        "request_id": _isolated_html(facts.request_id),
        "order": _isolated_html(facts.order_reference),
        "amount": _isolated_html(facts.amount or ""),
        "brand": Markup("<bdi>{}</bdi>").format(facts.brand.name),  # its own direction
    }
    html = str(Markup("<p>{}</p>").format(Markup(escape(lead)).format(**marked)))
    return subject.format(**plain), html, lead.format(**plain)


def _labels(facts: MailFacts) -> dict[str, str]:
    lang = facts.language
    words = dict(LABELS[lang])
    brand, order = facts.brand.name, _isolated_text(facts.order_reference, lang)
    words["footer"] = words["footer"].format(brand=brand, order=order)
    words["reply"] = words["reply"].format(brand=brand)
    if facts.event == MessageEvent.PORTAL_LINK:  # the link opens the form, not a status
        words["status_text"], words["status_button"] = words["link_text"], words["link_button"]
    if facts.event.to_staff:  # to a colleague of the shop: no order, no one to reply to
        words["status_text"] = words["password_text"]
        words["status_button"] = words["password_button"]
        words["footer"] = words["staff_footer"].format(brand=brand)
        words["reply"] = ""
    name = facts.customer_name
    words["greeting"] = words["hello"].format(name=name) if name else words["hello_anonymous"]
    return words


def _isolated_html(value: str) -> Markup:
    """An id or amount kept left to right inside Arabic text."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(value)


def _isolated_text(value: str, lang: str) -> str:
    if lang in RIGHT_TO_LEFT and value:
        return f"{FIRST_STRONG_ISOLATE}{value}{POP_ISOLATE}"
    return value


def _plain(html: str) -> str:
    """A merchant's HTML as text, for the plain part when only HTML was written."""
    return str(Markup(html).striptags())

"""What the customer gets back, shown before they submit (issue 24, the portal's part): the
quote of the return the form would make as it stands, per line and in total, for each
choice the merchant offers (money, or store credit with its bonus), less fees; with an
exchange chosen (issue 27), what comes instead and the difference due: the customer pays
it when above zero, and what remains below zero comes back by each outcome.

One computation for both ways it is shown: the order page renders it first (it works
without JavaScript, after a refused form too), and `GET /portal/returns/quote?token=…`
answers it as JSON as the customer changes the form (portal.js). The figures come from the
domain's quote (domain/fee_services.py), from the same command the form would submit
(submit.quote_command); a form the use case would refuse shows no figure at all, never a
wrong one. A quote writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from core.context import Context
from core.portal_links import PORTAL_PATH
from domain import fee_services
from domain.currencies import round_money
from domain.errors import DomainError
from domain.fees import Fee
from domain.orders import Order
from domain.parts import RefundOutcome
from domain.quote import Quote
from edge.json_answers import json_response
from pages.portal.form import MAX_FIELD_CHARS, FormState
from pages.portal.i18n import Translator, choose_language
from pages.portal.page_data import PortalData, load_portal_data
from pages.portal.submit import quote_command

QUOTE_PATH = PORTAL_PATH + "/quote"
# The fields of the form the quote reads; photos are counted (`photos-0=2`), never sent.
QUOTED_FIELDS = ("sku-", "qty-", "reason-", "condition-", "comment-", "exchange-")
PLACE_FIELDS = ("method", "country", "location")
MAX_PHOTOS_COUNTED = 20


@dataclass(frozen=True)
class Shown:
    """A quote for the page, or why there is none (`hint`: nothing chosen yet, or the form
    is not complete)."""

    view: dict[str, object] | None
    hint: str


def quote_url(token: str, t: Translator) -> str:
    return f"{QUOTE_PATH}?{urlencode({'token': token, 'lang': t.lang})}"


async def shown_quote(
    context: Context, data: PortalData, form: FormState, t: Translator, photos: dict[int, int]
) -> Shown:
    """The quote of the form as it stands, in the customer's words, or a hint."""
    cmd = quote_command(form, data, t, actor=context.actor, photos=photos)
    if cmd is None:
        chosen = any(form.value(f"qty-{i}", "0") != "0" for i in range(len(data.lines)))
        return Shown(None, t("quote_incomplete" if chosen else "quote_hint"))
    try:
        quote = await fee_services.quote_new_return(
            cmd, uow=context.unit_of_work(), clock=context.clock
        )
        credit = await fee_services.offers_store_credit(
            data.order.merchant, uow=context.unit_of_work()
        )
    except DomainError:  # an item the customer cannot return yet: no figure, not a wrong one
        return Shown(None, t("quote_incomplete"))
    return Shown(quote_view(quote, data, t, store_credit=credit), "")


def quote_view(
    quote: Quote, data: PortalData, t: Translator, *, store_credit: bool
) -> dict[str, object]:
    """Each line with its value and fees, the fees on the whole return, and per currency
    the total for each outcome offered (store credit only when the merchant gives it)."""
    names = {entry.line.sku: entry.line.description or entry.line.sku for entry in data.lines}
    offered = {RefundOutcome.MONEY} | ({RefundOutcome.STORE_CREDIT} if store_credit else set())
    return {
        "lines": [
            {
                "sku": line.sku,
                "name": names.get(line.sku, line.sku),
                "quantity": line.quantity,
                "value": _amount(line.value, line.currency, t),
                "fees": [_fee(fee, t) for fee in line.fees],
            }
            for line in quote.lines
        ],
        "return_fees": [_fee(fee, t) for fee in quote.fees if fee.sku is None],
        "exchange_lines": [
            {
                "sku": line.sku,
                "name": line.title or line.sku,
                "quantity": line.quantity,
                "replaces": line.replaces_sku,
                "total": _amount(line.total, line.currency, t),
            }
            for line in quote.exchange_lines
        ],
        "totals": [
            {
                "currency": total.currency,
                "value": _amount(total.value, total.currency, t),
                "fees": _amount(total.fees, total.currency, t),
                "exchange_total": _amount(total.exchange_total, total.currency, t),
                "difference": _difference(total.difference_due, bool(quote.exchange_lines)),
                "due": _amount(abs(total.difference_due), total.currency, t),
                "outcomes": [
                    {
                        "outcome": outcome.outcome.value,
                        "label": t(f"outcome_{outcome.outcome.value.lower()}"),
                        "amount": _amount(outcome.amount, total.currency, t),
                        "bonus": _amount(outcome.bonus, total.currency, t)
                        if outcome.bonus > 0
                        else None,
                        "total": _amount(outcome.total, total.currency, t),
                    }
                    for outcome in total.outcomes
                    if outcome.outcome in offered
                ],
            }
            for total in quote.totals
        ],
    }


def _difference(due: Decimal, exchanging: bool) -> str | None:
    """How the difference reads with an exchange: the customer pays it, an even exchange,
    or it comes back to them; without one, what comes back by each outcome."""
    if not exchanging:
        return None
    return "pay" if due > 0 else "back" if due < 0 else "even"


def _amount(amount: Decimal, currency: str, t: Translator) -> dict[str, str]:
    """An amount both ways: the exact figure for programs, the customer's wording to show."""
    exact = round_money(amount, currency)  # in the currency's minor units: 20 AED is 20.00
    return {"amount": str(exact), "currency": currency, "shown": t.money(exact, currency)}


def _fee(fee: Fee, t: Translator) -> dict[str, object]:
    return {
        "kind": fee.kind.value,
        "label": t(f"fee_{fee.kind.value.lower()}"),
        "waived": fee.waived,
        **_amount(fee.charged, fee.currency, t),
        # what it takes off, signed as the language signs a negative amount ("-AED15.80")
        "deducted": t.money(-round_money(fee.charged, fee.currency), fee.currency),
    }


async def quote_endpoint(context: Context, order: Order, request: web.Request) -> web.Response:
    """`GET /portal/returns/quote?token=…&lang=…&qty-0=1&reason-0=…&photos-0=1`: the quote
    of those form fields, in the customer's language, with its HTML as the page shows it."""
    t = Translator(choose_language(request))
    data = await load_portal_data(context, order)
    form, photos = _fields(request, len(data.lines))
    shown = await shown_quote(context, data, form, t, photos)
    html = aiohttp_jinja2.render_string(
        "portal_quote.html", request, {"t": t, "quote": shown.view, "hint": shown.hint}
    )
    answer = json_response({"quote": shown.view, "hint": shown.hint or None, "html": html})
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _fields(request: web.Request, lines: int) -> tuple[FormState, dict[int, int]]:
    values, photos = {}, {}
    for name in PLACE_FIELDS:
        if name in request.query:
            values[name] = request.query[name][:MAX_FIELD_CHARS]
    for index in range(lines):
        for prefix in QUOTED_FIELDS:
            if (value := request.query.get(f"{prefix}{index}")) is not None:
                values[f"{prefix}{index}"] = value[:MAX_FIELD_CHARS]
        counted = request.query.get(f"photos-{index}", "")
        if counted.isdigit() and len(counted) < 3:
            photos[index] = min(int(counted), MAX_PHOTOS_COUNTED)
    return FormState(values=values), photos

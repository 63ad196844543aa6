"""The development mailbox: under `make run` without an SMTP server, customer e-mails are
delivered here instead (delivery/mail/transports.py MailboxTransport), so a newcomer sees
what customers would get: `/dev/mailbox` lists them newest first, each with its plain text
and its HTML shown in a sandboxed frame (`/dev/mailbox/{id}.html`).

Served only when the settings say so (dev credentials on, no RETURNS_SMTP_URL): production
never shows customers' e-mails on a page."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from core.wiring import Wiring
from pages.security import content_security_policy, secure
from persistence.customer_messages import MAILBOX_TRANSPORT, MessageStore

MAILBOX_PATH = "/dev/mailbox"
# The e-mail's own HTML, inert: no script, no form, no navigation of its frame's parent.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; "
    "frame-ancestors 'self'; sandbox"
)


def add_mailbox_routes(app: web.Application, wiring: Wiring) -> None:
    store = MessageStore(wiring.db)

    async def inbox(request: web.Request) -> web.StreamResponse:
        messages = await store.sent_by(MAILBOX_TRANSPORT)
        chosen = request.query.get("message") or (messages[0].message_id if messages else None)
        shown = next((m for m in messages if m.message_id == chosen), None)
        response = aiohttp_jinja2.render_template(
            "mailbox.html", request, {"messages": messages, "shown": shown}
        )
        secure(response, content_security_policy(frame_src=["'self'"]))
        return response

    async def preview(request: web.Request) -> web.StreamResponse:
        message = await store.sent_message(MAILBOX_TRANSPORT, request.match_info["message_id"])
        if message is None or not message.html_body:
            raise web.HTTPNotFound()
        response = web.Response(text=message.html_body, content_type="text/html")
        response.headers["Content-Security-Policy"] = PREVIEW_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    app.router.add_get(MAILBOX_PATH, inbox)
    app.router.add_get(MAILBOX_PATH + "/{message_id}.html", preview)

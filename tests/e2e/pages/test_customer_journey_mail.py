"""The whole journey against a real SMTP server on this machine: a customer starts from the
order number and e-mail (in Arabic), submits the return in the portal, the merchant approves
it and records the label, receives the parcel and refunds it. Exactly one e-mail arrives
per step, in Arabic, right to left, with the amounts and links of that step."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from core import self_service
from delivery.mail.sender import mail_sender
from domain import commands as c
from domain import services
from domain.values import Actor, Address
from ops.bootstrap import WIRING_KEY
from tests.e2e.pages.portal_support import HTML, form, page, portal_app
from tests.mail_server import QUIET, smtp_server

pytestmark = QUIET
MERCHANT = Actor(source="API", user="agent@acme.example")


async def test_one_email_per_step_in_the_customers_language(db, clock, tmp_path: Path) -> None:
    with smtp_server(auth=True) as (inbox, url):
        settings = {
            "smtp_url": url,
            "mail_interval_seconds": 0,  # the test sends, so each step's mail is counted
            "public_base_url": "https://returns.example",
        }
        async with portal_app(db, clock, tmp_path, **settings) as (client, _):
            wiring = client.app[WIRING_KEY]
            sender = mail_sender(wiring)
            units = wiring.units

            async def step() -> list:
                before = len(inbox.received)
                await sender.send_due()
                return inbox.received[before:]

            # 1. Start from the order number and e-mail, in Arabic, and submit the return.
            shop = self_service.start_token(wiring, "default", "acme")
            start = await (await client.get(f"/portal/start?shop={shop}&lang=ar")).text()
            start_csrf = re.search(r'name="csrf" value="([^"]+)"', start).group(1)
            found = await client.post(
                f"/portal/start?shop={shop}&lang=ar",
                data={"csrf": start_csrf, "order": "SO-1", "contact": "ann@example.com"},
                allow_redirects=False,
            )
            path = found.headers["Location"]
            _, csrf, submission = await page(client, path)
            done = await client.post(path, data=form(csrf, submission), headers=HTML)
            assert done.status == 200
            requested = await step()
            [request_id] = re.findall(r"RR-[0-9A-Z]+", requested[0].subject)

            # 2. Approve (to the merchant's warehouse), and record the label within the
            # settling time; editing the request tells the customer nothing.
            await services.update_return(
                c.UpdateReturn(
                    actor=MERCHANT,
                    return_request_id=request_id,
                    changes={
                        "dropoff": Address(address1="Warehouse 1", city="Dubai", country="AE")
                    },
                ),
                uow=units("default"),
                clock=clock,
            )
            await services.approve_return(
                c.ApproveReturn(actor=MERCHANT, return_request_id=request_id),
                uow=units("default"),
                clock=clock,
            )
            await services.update_reverse_shipment(
                c.UpdateReverseShipment(
                    actor=MERCHANT,
                    return_request_id=request_id,
                    tracking_number="TRK-42",
                    label_url="https://carrier.example/labels/42.pdf",
                ),
                uow=units("default"),
                clock=clock,
            )
            assert await step() == []  # the approval waits for its label
            clock.advance(seconds=61)
            approved = await step()

            # 3. Receive, 4. refund.
            await services.receive_return(
                c.ReceiveReturn(
                    actor=MERCHANT, return_request_id=request_id, quantities={"SKU-1": 1}
                ),
                uow=units("default"),
                clock=clock,
            )
            received = await step()
            await services.add_refund(
                c.AddRefund(
                    actor=MERCHANT,
                    return_request_id=request_id,
                    amount=Decimal("10.00"),
                    currency="AED",
                ),
                uow=units("default"),
                clock=clock,
            )
            refunded = await step()
            nothing_more = await step()

    steps = [requested, approved, received, refunded]
    assert [len(mails) for mails in steps] == [1, 1, 1, 1]
    assert nothing_more == []
    mails = [mails[0] for mails in steps]
    for mail in mails:
        assert mail.recipients == ["ann@example.com"]
        assert '<html lang="ar" dir="rtl">' in mail.html
        assert mail.message["Content-Language"] == "ar"
        assert request_id in mail.text
        status_link = re.search(r"https://returns\.example/portal/status/[\w.-]+", mail.text)
        assert status_link and f'href="{status_link.group(0)}"' in mail.html
    assert "استلمنا طلب الإرجاع" in mails[0].subject
    assert "تمت الموافقة" in mails[1].subject
    assert "TRK-42" in mails[1].text
    assert 'href="https://carrier.example/labels/42.pdf"' in mails[1].html
    assert "وصلت" in mails[2].subject
    assert "10.00" in mails[3].subject and "AED" in mails[3].text
    assert len({m.message_id for m in mails}) == 4

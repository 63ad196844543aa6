"""The notification port's implementations, chosen by settings in app.py: without a gateway
the log entry is the delivery (development, or merchants who read the log); with
`RETURNS_SMS_GATEWAY_URL` each SMS is posted to the gateway and its answer is recorded."""

from __future__ import annotations

import aiohttp

from domain.notifications import DeliveryOutcome, Notification, NotificationStatus

ANSWER_EXCERPT = 200


class LogSender:
    """Records the message as delivered to the log: nothing leaves the service."""

    async def send(self, notification: Notification) -> DeliveryOutcome:
        return DeliveryOutcome(NotificationStatus.LOGGED)


class HttpSmsSender:
    """Posts `{to, message, reference, merchant, orderId, returnRequestId}` as JSON; a 2xx
    answer is SENT, anything else (or no answer in time) FAILED with the reason. The
    notification id travels as `Idempotency-Key`, so a gateway can drop a repeat."""

    def __init__(self, url: str, *, token: str | None = None, timeout_seconds: float = 10) -> None:
        self.url = url
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def send(self, notification: Notification) -> DeliveryOutcome:
        headers = {"Idempotency-Key": notification.id}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout) as session,
                session.post(self.url, json=_message(notification), headers=headers) as answer,
            ):
                if 200 <= answer.status < 300:
                    return DeliveryOutcome(NotificationStatus.SENT)
                text = (await answer.text(errors="replace"))[:ANSWER_EXCERPT]
                return DeliveryOutcome.failed(f"SMS gateway answered {answer.status}: {text}")
        except (aiohttp.ClientError, TimeoutError) as error:
            reason = str(error) or type(error).__name__
            return DeliveryOutcome.failed(f"SMS gateway unreachable: {reason}")


def _message(notification: Notification) -> dict[str, str]:
    return {
        "to": notification.recipient,
        "message": notification.body,
        "reference": notification.id,
        "merchant": notification.merchant,
        "orderId": notification.order_reference,
        "returnRequestId": notification.return_request_id,
    }

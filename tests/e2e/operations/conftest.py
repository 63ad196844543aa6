"""Fixtures other end-to-end suites define, for the operations tests that watch the same
machinery from the operator's side: a local webhook receiver and a local SMS gateway."""

from tests.e2e.graphql.test_graphql_webhooks import receiver  # noqa: F401
from tests.e2e.rest.test_oto_return_sms import gateway, oto_with_gateway  # noqa: F401

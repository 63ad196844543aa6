"""GET /metrics over the real server, on both databases: requests and latency per face and
operation with labels no client can multiply, errors by code, and what the process holds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from domain.webhooks import MAX_ATTEMPTS
from ops.app import create_app
from ops.metrics.endpoint import face_prefixes
from ops.metrics.registry import MAX_OPERATION_NAMES, OTHER_FACE, Faces
from tests.e2e.conftest import GraphQLClient, credentials
from tests.e2e.graphql.conftest import ReturnsApi
from tests.e2e.graphql.test_graphql_subscriptions import PROTOCOL, Socket, wait_for_subscribers
from tests.e2e.graphql.test_graphql_webhooks import local_sender, register
from tests.e2e.operations.scraping import Scrape, scrape
from tests.e2e.rest.oto_support import ORDER_ID
from tests.e2e.rest.test_oto_return_sms import drain, returned

REQUESTS = "returns_http_requests_total"
LATENCY = "returns_http_request_duration_seconds_count"
ERRORS = "returns_errors_total"
DELIVERIES = "returns_webhook_deliveries"
ATTEMPTS = "returns_webhook_attempts_total"
JOB_RUNS = "returns_job_runs_total"
JOB_FAILURES = "returns_job_failures_total"
JOB_SUCCESS = "returns_job_last_success_timestamp_seconds"
COUNT = "query Count { returnRequests(first: 5) { totalCount } }"
ANONYMOUS = "{ returnRequests(first: 5) { totalCount } }"
CREATE_FOR_MISSING_ORDER = """
mutation CreateReturn($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { code } }
}
"""
EVENTS = "subscription Watch { returnEvents { position } }"


async def post_graphql(http: TestClient, query: str, **body: object) -> dict:
    response = await http.post("/graphql", json={"query": query, **body})
    assert response.status == 200, await response.text()
    return await response.json()


async def test_requests_are_counted_and_timed_per_face_and_operation(http) -> None:
    assert "errors" not in await post_graphql(http, COUNT)
    assert "errors" not in await post_graphql(http, COUNT)
    assert "errors" not in await post_graphql(http, ANONYMOUS)
    assert (await http.get("/returns/reasons", params={"merchant": "acme"})).status == 200
    oto = await http.post("/rest/v2/getReturnDetails", json={"orderId": "SO-404"})
    assert oto.status == 404
    assert (await http.get("/healthz")).status == 200

    metrics = await scrape(http)
    graphql = {"face": "graphql", "status": "2xx"}
    assert metrics.value(REQUESTS, operation="Count", **graphql) == 2
    assert metrics.value(REQUESTS, operation="anonymous", **graphql) == 1
    assert metrics.value(LATENCY, face="graphql", operation="Count") == 2
    carriyo = {"face": "rest-carriyo", "operation": "GET /returns/reasons"}
    assert metrics.value(REQUESTS, status="2xx", **carriyo) == 1
    assert metrics.value(LATENCY, **carriyo) == 1
    oto_details = {"face": "rest-oto", "operation": "POST /rest/v2/getReturnDetails"}
    assert metrics.value(REQUESTS, status="4xx", **oto_details) == 1
    assert metrics.value(REQUESTS, face="health", operation="GET /healthz", status="2xx") == 1
    assert metrics.total(LATENCY, face="graphql") == 3


async def test_every_route_of_the_app_has_a_face(http) -> None:
    faces = Faces(face_prefixes())
    routes = {r.resource.canonical for r in http.app.router.routes() if r.resource is not None}
    assert {path for path in routes if faces.of(path) == OTHER_FACE} == set()


async def test_pages_and_their_files_are_counted_as_theirs(http) -> None:
    assert (await http.get("/")).status == 200
    assert (await http.get("/docs")).status == 200
    assert (await http.get("/static/site.css")).status == 200

    metrics = await scrape(http)
    assert metrics.value(REQUESTS, face="pages", operation="GET /", status="2xx") == 1
    assert metrics.value(REQUESTS, face="pages", operation="GET /docs", status="2xx") == 1
    assert metrics.value(REQUESTS, face="static", operation="GET /static", status="2xx") == 1


async def test_labels_never_carry_what_a_client_made_up(http) -> None:
    too_long = "Q" * 65  # a valid GraphQL name, but longer than any label we keep
    await post_graphql(http, f"query {too_long} {{ returnRequests(first: 1) {{ totalCount }} }}")
    refused = await http.post(
        "/graphql", json={"query": COUNT, "operationName": "Count"}, headers={"tenant-id": "x"}
    )
    assert refused.status == 401
    await http.get("/returns/requests/RR-DOESNOTEXIST")
    await http.get("/no/such/path/12345")

    metrics = await scrape(http)
    operations = metrics.label_values(REQUESTS, "operation")
    assert too_long not in operations and "other" in operations
    assert metrics.value(REQUESTS, face="graphql", operation="none", status="4xx") == 1
    assert metrics.value(REQUESTS, face="graphql", operation="Count", status="4xx") is None
    assert "GET /returns/requests/{return_request_id}" in operations
    assert not [o for o in operations if "RR-DOESNOTEXIST" in o or "12345" in o]
    assert metrics.value(REQUESTS, face="other", operation="unmatched", status="4xx") == 1


async def test_operation_names_past_the_bound_share_one_series(http) -> None:
    for number in range(MAX_OPERATION_NAMES + 5):
        await post_graphql(
            http, f"query Op{number} {{ returnRequests(first: 1) {{ totalCount }} }}"
        )

    metrics = await scrape(http)
    named = metrics.label_values(REQUESTS, "operation") - {"other", "none", "anonymous"}
    assert len({o for o in named if o.startswith("Op")}) == MAX_OPERATION_NAMES
    assert metrics.value(REQUESTS, face="graphql", operation="other", status="2xx") == 5


async def test_errors_are_counted_by_code_on_every_face(http) -> None:
    missing = {
        "merchant": "acme",
        "orderReference": "SO-404",
        "items": [{"sku": "A", "quantity": 1}],
    }
    payload = await post_graphql(http, CREATE_FOR_MISSING_ORDER, variables={"input": missing})
    codes = [e["code"] for e in payload["data"]["createReturn"]["userErrors"]]
    assert (await post_graphql(http, "{ nope }"))["errors"]
    assert (await http.get("/returns/requests/RR-NOPE")).status == 404
    assert (await http.post("/graphql", json={"query": COUNT}, headers={"x-api-key": "no"})).status
    assert (
        await http.post("/oauth/token", json={"grant_type": "client_credentials"})
    ).status >= 400

    metrics = await scrape(http)
    for code in codes:
        assert metrics.value(ERRORS, face="graphql", code=code) >= 1
    assert metrics.value(ERRORS, face="graphql", code="GRAPHQL") == 1
    assert metrics.value(ERRORS, face="rest-carriyo", code="NOT_FOUND") == 1
    assert metrics.value(ERRORS, face="graphql", code="UNAUTHENTICATED") == 1
    assert metrics.total(ERRORS, face="oauth") == 1


async def test_the_pool_websockets_and_subscribers_are_gauged(http, db, clock) -> None:
    async with http.ws_connect("/graphql", protocols=[PROTOCOL]) as ws:
        socket = Socket(ws)
        assert (await socket.init(await credentials(db, clock, "default")))["type"] == (
            "connection_ack"
        )
        await socket.subscribe("1", EVENTS)
        await wait_for_subscribers(http.server.app, 1)
        live = await scrape(http)
    after = await _scrape_until(http, lambda metrics: metrics.value("returns_websockets_open") == 0)

    assert live.value("returns_websockets_open") == 1
    assert live.value("returns_subscribers") == 1
    assert live.value("returns_event_log_lag_events") == 0
    assert after.value("returns_subscribers") == 0
    for gauge in ("returns_db_pool_in_use", "returns_db_pool_idle", "returns_db_pool_waiting"):
        assert live.value(gauge) is not None and live.value(gauge) >= 0
    assert live.value("returns_db_pool_max") >= 1
    assert live.value("returns_sms_sending") == 0


async def _scrape_until(http: TestClient, condition: Callable[[Scrape], bool]) -> Scrape:
    for _ in range(100):
        metrics = await scrape(http)
        if condition(metrics):
            return metrics
        await asyncio.sleep(0.02)
    raise AssertionError("the metrics never showed the expected state")


async def test_postgresql_reading_connections_are_gauged_beside_the_pool(http, db) -> None:
    """Reads on PostgreSQL lend asyncpg connections of their own, which the pool's gauges
    do not see; SQLite reads through the engine and has no such gauges."""
    assert "errors" not in await post_graphql(http, COUNT)
    metrics = await scrape(http)

    gauges = ("returns_db_reading_in_use", "returns_db_reading_idle", "returns_db_reading_max")
    if db.is_sqlite:
        assert all(metrics.value(gauge) is None for gauge in gauges)
        return
    assert metrics.value("returns_db_reading_in_use") == 0  # the read gave its connection back
    assert metrics.value("returns_db_reading_idle") >= 1
    assert metrics.value("returns_db_reading_max") == db.read_connections.size


async def test_webhook_deliveries_are_gauged_by_state(graphql, http, db, clock) -> None:
    api = ReturnsApi(graphql)
    await register(graphql, "http://127.0.0.1:9/unreachable", eventTypes=["ReturnRequested"])
    await api.pending_return()
    sender = local_sender(db, clock, timeout_seconds=2)
    for _ in range(MAX_ATTEMPTS):
        assert await sender.send_due() == 1
        clock.advance(hours=7)
    await api.create_return([{"sku": "CAP", "quantity": 1}])

    metrics = await scrape(http)
    assert metrics.value(DELIVERIES, state="failed") == 1
    assert metrics.value(DELIVERIES, state="pending") == 1


async def test_the_servers_own_webhook_attempts_are_counted_by_outcome(db, clock, receiver) -> None:
    target, url = receiver
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0.05,
        webhook_allow_private_targets=True,
    )
    app = create_app(settings, db=db, clock=clock)
    headers = await credentials(db, clock, "default")
    async with TestClient(TestServer(app), headers=headers) as client:
        graphql = GraphQLClient(client)
        await register(graphql, url, eventTypes=["ReturnRequested"])
        await ReturnsApi(graphql).pending_return()
        await asyncio.wait_for(target.arrived.wait(), 10)
        # A scrape counts the database before it renders: wait for one that followed the
        # attempt from start to end.
        metrics = await _scrape_until(
            client,
            lambda m: (
                m.value(ATTEMPTS, outcome="delivered") == 1
                and m.value(DELIVERIES, state="pending") == 0
                and (m.value(JOB_RUNS, job="webhook-sender") or 0) >= 1
            ),
        )
    assert metrics.value(ATTEMPTS, outcome="retrying") is None
    # The sender is one of the periodic runner's jobs, each of which says how it fares.
    assert metrics.value(JOB_FAILURES, job="webhook-sender") == 0
    assert metrics.value(JOB_SUCCESS, job="webhook-sender") is not None
    assert metrics.value(JOB_RUNS, job="auto-close") == 0


async def test_the_sms_queue_and_the_messages_being_sent_are_gauged(
    oto_with_gateway, gateway
) -> None:
    oto, (held_gateway, _) = oto_with_gateway, gateway
    held_gateway.hold = asyncio.Event()
    await returned(oto)
    assert (await oto.post("triggerReturnSms", {"orderId": ORDER_ID}))[0] == 200

    sending = await _scrape_until(oto.http, lambda m: m.value("returns_sms_sending") == 1)
    held_gateway.hold.set()
    await drain(oto)
    sent = await scrape(oto.http)

    assert sending.value("returns_sms_queued") == 1
    assert (sent.value("returns_sms_queued"), sent.value("returns_sms_sending")) == (0, 0)


async def test_a_metrics_token_is_required_from_everyone_once_set(db, clock) -> None:
    token = "scrape-me-with-this-token"
    settings = Settings(migrate_on_start=False, webhook_interval_seconds=0, metrics_token=token)
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        garbled = await _raw_status(client, b"Authorization: Bearer \xff\xfe\r\n")
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert [missing.status, wrong.status, garbled] == [401, 401, 401]
        assert missing.headers["WWW-Authenticate"] == "Bearer"
        assert right.status == 200
        assert "returns_http_requests_total" in await right.text()


async def _raw_status(client: TestClient, header: bytes) -> int:
    """The status of a GET /metrics carrying a header no HTTP client library would send."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + header + b"\r\n")
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_without_a_token_requests_a_proxy_forwarded_are_refused(http) -> None:
    forwarded = await http.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status == 403
    assert "RETURNS_METRICS_TOKEN" in (await forwarded.json())["errors"][0]["message"]

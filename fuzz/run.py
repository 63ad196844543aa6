"""`make fuzz`: schemathesis against a served returns-api, failing on any 5xx.

Serves the real app on a fresh SQLite file with development credentials, takes a token the
way a client would, then lets schemathesis generate GraphQL operations from the schema and
REST calls from the shims' OpenAPI document (`/openapi.json`), each with a fixed seed and a
bounded number of examples per operation. A last stage (`fuzz/raw_bytes.py`) mutates the
headers, bodies and targets of real requests byte by byte, which no schema-driven client
sends. Exit status is non-zero when any check failed in any stage.

    .venv/bin/python -m fuzz.run --max-examples 25
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

from fuzz import raw_bytes

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261125


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("fuzz: the server did not become ready")


def token_headers(base: str, credentials: Path) -> list[str]:
    saved = json.loads(credentials.read_text())
    body = json.dumps(
        {
            "grant_type": "client_credentials",
            "client_id": saved["client_id"],
            "client_secret": saved["client_secret"],
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/oauth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.load(response)["access_token"]
    return [
        f"Authorization: Bearer {token}",
        f"x-api-key: {saved['api_key']}",
        f"tenant-id: {saved['tenant_id']}",
    ]


FUZZ_MERCHANT = "fuzz-store"
FUZZ_ORDER = "FZ-1"
# The byte stage seeds its own merchant: the REST stage before it may have changed
# fuzz-store's rules (reasons, resolutions) so that yesterday's valid create no longer is.
BYTES_MERCHANT = "fuzz-bytes-store"
BYTES_ORDER = "FZ-2"
FUZZ_SKUS = ("SKU-A", "SKU-B")


def call(base: str, method: str, path: str, body: object, headers: list[str]) -> object:
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers=dict(h.split(": ", 1) for h in headers) | {"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as refusal:  # say why, not only the status
        detail = refusal.read().decode(errors="replace")[:2000]
        raise SystemExit(f"fuzz: {method} {path} answered {refusal.code}: {detail}") from None


def seed_rest_data(
    base: str, headers: list[str], merchant: str = FUZZ_MERCHANT, order: str = FUZZ_ORDER
) -> list[str]:
    """Real return requests in several states, so the REST fuzz also hits the transitions
    and not only 404s: the hooks mix their ids (and the order's merchant, reference and
    skus) into the generated calls."""
    delivered = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
    lines = ", ".join(
        f'{{sku: "{sku}", description: "{sku}", quantity: 1000, unitPrice: "10.50", '
        f'deliveredAt: "{delivered}"}}'
        for sku in FUZZ_SKUS
    )
    upsert = (
        f'mutation {{ upsertOrder(input: {{merchant: "{merchant}", reference: '
        f'"{order}", currency: "AED", customer: {{email: "fuzz@example.com"}}, '
        f"lines: [{lines}]}}) {{ userErrors {{ code }} }} }}"
    )
    call(base, "POST", "/graphql", {"query": upsert}, headers)
    create = {
        "merchant": merchant,
        "partner_order_reference": order,
        "resolution": "REFUND",
        "items": [{"sku": sku, "quantity": 2} for sku in FUZZ_SKUS],
        "pickup": {"address1": "1 Fuzz St", "country": "AE"},
        "dropoff": {"partner_location_id": "WH-FUZZ"},
    }
    ids = [
        call(base, "POST", "/returns/requests", create, headers)["return_request_id"]
        for _ in range(4)
    ]  # type: ignore[index]
    for rid in ids[:2]:
        call(base, "PATCH", f"/returns/requests/{rid}/approve", None, headers)
    return ids


def schemathesis(
    target: str,
    headers: list[str],
    args: argparse.Namespace,
    extra_env: dict[str, str],
    check: str = "not_a_server_error",
) -> int:
    """One schemathesis run (GraphQL endpoint or OpenAPI document), only failing on 5xx
    (GraphQL: on a resolver's error without a stable code, fuzz/hooks.py): refusals
    (400/404/409…, userErrors, coded errors) are the API doing its job on generated
    nonsense."""
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        target,
        *headers,
        "--checks",
        check,
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--generation-deterministic",
        "--no-color",
        "--warnings",
        "off",
    ]
    hooks = os.environ | {"SCHEMATHESIS_HOOKS": "fuzz.hooks"} | extra_env
    print(f"fuzz: {target}", flush=True)
    return subprocess.run(command, cwd=ROOT, env=hooks, check=False).returncode


def portal_token(base: str, headers: list[str], order: str) -> str:
    """A real return-portal token for the fuzz order, as OTO's getReturnLink hands it out."""
    answer = call(base, "POST", "/rest/v2/getReturnLink", {"orderId": order}, headers)
    link = str(answer["returnLink"])  # type: ignore[index]
    return link.split("token=", 1)[1]


def byte_stage(
    port: int, credentials: Path, headers: list[str], return_ids: str, args: argparse.Namespace
) -> int:
    """Mutated bytes of real requests on every face (`fuzz/raw_bytes.py`)."""
    saved = json.loads(credentials.read_text())
    known = raw_bytes.Known(
        headers=dict(header.split(": ", 1) for header in headers),
        client_id=saved["client_id"],
        client_secret=saved["client_secret"],
        return_ids=return_ids.split(","),
        merchant=BYTES_MERCHANT,
        order=BYTES_ORDER,
        sku=FUZZ_SKUS[0],
        portal_token=portal_token(f"http://127.0.0.1:{port}", headers, BYTES_ORDER),
    )
    print("fuzz: raw bytes on every face", flush=True)
    run = raw_bytes.run("127.0.0.1", port, known, examples=args.max_examples, seed=args.seed)
    return raw_bytes.report(asyncio.run(run))


def run_stages(base: str, port: int, credentials: Path, args: argparse.Namespace) -> int:
    """The chosen stages against the served instance; the worst exit status."""
    lines = token_headers(base, credentials)
    headers = [arg for header in lines for arg in ("--header", header)]
    stages = set(args.stages.split(","))
    graphql = rest = raw = 0
    if "graphql" in stages:
        graphql = schemathesis(f"{base}/graphql", headers, args, {}, "graphql_refusals_only")
    known = {
        "FUZZ_RETURN_IDS": ",".join(seed_rest_data(base, lines)),
        "FUZZ_MERCHANT": FUZZ_MERCHANT,
        "FUZZ_ORDER": FUZZ_ORDER,
        "FUZZ_SKUS": ",".join(FUZZ_SKUS),
    }
    if "rest" in stages:
        rest = schemathesis(f"{base}/openapi.json", headers, args, known)
    if "bytes" in stages:
        fresh = ",".join(seed_rest_data(base, lines, BYTES_MERCHANT, BYTES_ORDER))
        raw = byte_stage(port, credentials, lines, fresh, args)
    return max(graphql, rest, raw)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--stages",
        default="graphql,rest,bytes",
        help="comma-separated stages to run (graphql, rest, bytes); all by default",
    )
    parser.add_argument(
        "--database-url",
        help="serve on this database (migrated on start) instead of a fresh SQLite file",
    )
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        credentials = Path(folder) / "dev-credentials.json"
        env = os.environ | {
            "DATABASE_URL": args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'fuzz.db'}",
            "RETURNS_MIGRATE_ON_START": "true",
            "RETURNS_PORT": str(port),
            "RETURNS_DEV_CREDENTIALS": "true",
            "RETURNS_DEV_CREDENTIALS_FILE": str(credentials),
            # The fuzzer sends wrong credentials by the thousand from one address; throttled,
            # it would test little but the 429.
            "RETURNS_AUTH_FAILURES_PER_MINUTE": "1000000",
            "RETURNS_AUTH_FAILURES_PER_ADDRESS_PER_MINUTE": "1000000",
            "RETURNS_LOG_LEVEL": os.environ.get("FUZZ_SERVER_LOG_LEVEL", "WARNING"),
        }
        server_log = Path(folder) / "server.log"
        with server_log.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "ops.cli", "serve"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
            try:
                wait_ready(base)
                status = run_stages(base, port, credentials, args)
            finally:
                server.terminate()
                server.wait(timeout=10)
        if status:
            show_errors(server_log)
        return status


def show_errors(server_log: Path) -> None:
    """The server's own account of what failed: the last line of each ERROR it logged,
    leaving out the malformed requests aiohttp itself turns away (refusals, not failures)."""
    seen: Counter[str] = Counter()
    for line in server_log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        trace = str(entry.get("exception") or "")
        if entry.get("level") != "ERROR" or "BadHttpMessage" in trace:
            continue
        causes = [line for line in trace.splitlines() if line[:1].isalpha()]
        cause = causes[-1].split(":", 1)[0] if causes else ""
        seen[f"{str(entry.get('message')).splitlines()[0]}: {cause}"] += 1
    print(f"fuzz: the server logged {sum(seen.values())} errors:", flush=True)
    for what, count in seen.most_common(20):
        print(f"  {count} x {what}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())

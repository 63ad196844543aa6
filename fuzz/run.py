"""`make fuzz`: schemathesis against a served returns-api, failing on any 5xx.

Serves the real app on a fresh SQLite file with development credentials, takes a token the
way a client would, then lets schemathesis generate GraphQL operations from the schema and
REST calls from the shims' OpenAPI document (`/openapi.json`), each with a fixed seed and a
bounded number of examples per operation. Exit status is non-zero when any check failed in
either run.

    .venv/bin/python fuzz/run.py --max-examples 25
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

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


def schemathesis(target: str, headers: list[str], args: argparse.Namespace) -> int:
    """One schemathesis run (GraphQL endpoint or OpenAPI document), only failing on 5xx:
    refusals (400/404/409…) are the API doing its job on generated nonsense."""
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        target,
        *headers,
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--generation-deterministic",
        "--no-color",
        "--warnings",
        "off",
    ]
    hooks = os.environ | {"SCHEMATHESIS_HOOKS": "fuzz.hooks"}
    print(f"fuzz: {target}", flush=True)
    return subprocess.run(command, cwd=ROOT, env=hooks, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        credentials = Path(folder) / "dev-credentials.json"
        env = os.environ | {
            "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'fuzz.db'}",
            "RETURNS_PORT": str(port),
            "RETURNS_DEV_CREDENTIALS": "true",
            "RETURNS_DEV_CREDENTIALS_FILE": str(credentials),
            "RETURNS_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "graphql_api.cli", "serve"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_ready(base)
            headers = [
                arg for header in token_headers(base, credentials) for arg in ("--header", header)
            ]
            results = [
                schemathesis(target, headers, args)
                for target in (f"{base}/graphql", f"{base}/openapi.json")
            ]
            return max(results)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())

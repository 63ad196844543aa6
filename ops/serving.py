"""`returns-api serve`: claim the port, then start the app; say when it listens and stops.

The listening socket is bound before anything else starts (migrations, background senders,
the development credentials banner). A port that is taken is therefore one clear log line
naming the setting to change and a failing exit status, instead of a traceback after output
that claims the server is up.
"""

from __future__ import annotations

import errno
import logging
import socket

from core.settings import Settings

log = logging.getLogger(__name__)

ORPHAN_CHECK_SECONDS = 1.0
EXIT_CANNOT_LISTEN = 2  # like every other refused CLI command


class CannotListen(Exception):
    """The configured address cannot be bound; the message names the setting to change."""


def serve(settings: Settings) -> int:
    """Serve until SIGINT or SIGTERM; the process's exit status. With `workers` above one,
    this process supervises that many workers sharing its socket (ops/workers.py)."""
    try:
        sock = listening_socket(settings.host, settings.port)
    except CannotListen as problem:
        log.error("returns-api cannot start: %s", problem)
        return EXIT_CANNOT_LISTEN
    url = address_url(sock)
    if settings.workers > 1:
        from ops.workers import supervise

        return supervise(settings, sock, url)
    from ops.running import run_app  # the app: a supervisor or a refused start never needs it

    run_app(settings, sock, f"returns-api listening on {url} (GraphQL at /graphql)")
    log.info("returns-api stopped serving %s", url)
    return 0


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) and listening, or `CannotListen`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        raise CannotListen(_explain(host, port, error)) from None


def address_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _explain(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (RETURNS_PORT={port}); stop the other "
            "server or set RETURNS_PORT to a free port"
        )
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port}; set RETURNS_PORT to a port above 1023"
    reason = error.strerror or str(error)
    if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host} ({reason}); set RETURNS_HOST to an address of this host"
    return f"cannot listen on {host}:{port} ({reason}); check RETURNS_HOST and RETURNS_PORT"

"""Settings from the environment, validated once at start-up."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from persistence.database import DEFAULT_DATABASE_URL, POOL_MAX_OVERFLOW, POOL_SIZE

DEV_PORTAL_SECRET = "development-only-return-portal-secret-not-for-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RETURNS_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "RETURNS_DATABASE_URL"),
        description="sqlite+aiosqlite:///./returns.db or postgresql+asyncpg://user@host/db",
    )
    db_pool_size: int = Field(
        default=POOL_SIZE,
        ge=1,
        description="PostgreSQL connections each process keeps open; size it for the requests "
        "one process serves at once (processes x (size + overflow) must stay under the "
        "server's max_connections).",
    )
    db_max_overflow: int = Field(
        default=POOL_MAX_OVERFLOW,
        ge=0,
        description="Connections opened beyond the pool under bursts, closed when returned.",
    )
    auth_cache_seconds: float = Field(
        default=5,
        ge=0,
        description="How long a process trusts what it read about a bearer token before "
        "reading it again: a revoked API client is refused everywhere within this.",
    )
    auth_failures_per_minute: int = Field(
        default=10,
        ge=1,
        description="Failed attempts one API client id (its secret at /oauth/token) or one "
        "order (a customer lookup by email or phone) may take a minute; past it, every "
        "attempt is refused with 429 and Retry-After until the minute is up.",
    )
    auth_failures_per_address_per_minute: int = Field(
        default=60,
        ge=1,
        description="Failed attempts at any credential (client secrets, API credentials, "
        "portal links) one address may make a minute; past it, 429 likewise.",
    )
    trusted_proxy_hops: int = Field(
        default=0,
        ge=0,
        le=10,
        description="Reverse proxies of yours in front of the service: the address that counts "
        "is then the one that many entries from the end of X-Forwarded-For; 0 trusts no "
        "header and counts the connection's peer.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Server processes sharing the port, each on its own core; more than one "
        "runs a supervisor that restarts a worker that dies (`serve --workers N`).",
    )
    shutdown_grace_seconds: float = Field(
        default=5,
        ge=0,
        le=120,
        description="On SIGTERM or Ctrl-C, how long requests in flight may take to finish "
        "(websockets are closed with 1001 at once).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    graphiql: bool = True
    auto_close_interval_seconds: float = Field(
        default=3600, ge=0, description="How often the server runs auto-close; 0 disables it."
    )
    store_credit_expiry_interval_seconds: float = Field(
        default=3600,
        ge=0,
        description="How often the server expires lapsed store credit; 0 disables it.",
    )
    event_sequencer_interval_seconds: float = Field(
        default=5,
        ge=0,
        description="How often a PostgreSQL server numbers committed events that a writer "
        "died before numbering (so subscribers and webhooks see them); 0 disables it.",
    )
    idempotency_purge_interval_seconds: float = Field(
        default=3600,
        ge=0,
        description="How often the server forgets Idempotency-Keys past their 24 hours; 0 "
        "disables it.",
    )
    graphql_max_depth: int = Field(default=15, ge=2)
    graphql_max_aliases: int = Field(default=100, ge=1)
    graphql_max_tokens: int = Field(default=10_000, ge=100)
    graphql_max_query_bytes: int = Field(
        default=100_000,
        ge=1024,
        description="Largest query text accepted, comments included (LIMIT_EXCEEDED above), "
        "on POST, GET and websocket operations alike.",
    )
    graphql_cache_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=0,
        description="Bytes of query text each cache of parsed documents and plans may hold.",
    )
    graphql_cache_entry_bytes: int = Field(
        default=32 * 1024,
        ge=0,
        description="Largest query text worth caching; a longer one is parsed for its request "
        "only.",
    )
    graphql_max_cost: int = Field(
        default=250_000,
        ge=100,
        description="Ceiling of a query's estimated cost: the most field values its answer "
        "can hold, every list at its page size or bound (graphql_api/list_bounds.py).",
    )
    graphql_timeout_seconds: float = Field(
        default=10, gt=0, description="A query running longer is stopped (LIMIT_EXCEEDED)."
    )
    graphql_compare_executors: bool = Field(
        default=False,
        description="Tests only: run graphql-core after every planned query, and strawberry's "
        "view after every query the POST pipeline answers, and log any answer that differs "
        "(several times the work).",
    )
    graphql_sql_json: bool = Field(
        default=True,
        description="Queries of return requests' plain fields answered with JSON the database "
        "writes (graphql_api/sql_json.py); false: every query runs on its compiled plan.",
    )
    graphql_introspection: bool = Field(
        default=True, description="Switch off in production to hide the schema."
    )
    dev_credentials: bool = Field(
        default=False,
        description="Create a dev tenant and key on start and print GraphiQL headers "
        "(`make run` turns it on; never in production).",
    )
    dev_credentials_file: str = ".returns-dev-credentials.json"
    migrate_on_start: bool | None = Field(
        default=None,
        description="Run migrations when the server starts; default: on for SQLite only, "
        "since several PostgreSQL processes must not race to migrate.",
    )
    public_base_url: str | None = Field(
        default=None,
        description="Where customers reach this service (return-portal links start with it); "
        "default http://{host}:{port}.",
    )
    portal_secret: SecretStr | None = Field(
        default=None,
        min_length=32,
        description="HMAC-SHA256 key of return-portal links; without it (and outside "
        "development) getReturnLink and the portal answer 503.",
    )
    portal_link_ttl_seconds: int = Field(
        default=72 * 3600, ge=60, le=30 * 24 * 3600, description="How long a return link works."
    )
    status_link_ttl_seconds: int = Field(
        default=180 * 24 * 3600,
        ge=3600,
        le=400 * 24 * 3600,
        description="How long a link to a return's status page works (e-mails carry it).",
    )
    photo_dir: str = Field(
        default="./returns-photos",
        description="Where the default photo store keeps customers' return photos.",
    )
    photo_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    photo_max_per_item: int = Field(default=5, ge=1, le=20)
    sms_gateway_url: str | None = Field(
        default=None,
        description="POST each return SMS here as JSON; without it the notifications log is "
        "the delivery.",
    )
    sms_gateway_token: SecretStr | None = Field(
        default=None, description="Sent to the SMS gateway as `Authorization: Bearer …`."
    )
    sms_gateway_timeout_seconds: float = Field(default=10, gt=0, le=120)
    smtp_url: SecretStr | None = Field(
        default=None,
        description="The SMTP server customer e-mails leave through: "
        "smtp://user:password@host:587 (STARTTLS when offered; ?starttls=true requires it, "
        "?starttls=false never uses it) or smtps://…:465 (TLS from the start); user and "
        "password URL-encoded. Never logged. Without it, development (dev credentials on) "
        "shows e-mails at /dev/mailbox and production keeps them PENDING.",
    )
    smtp_timeout_seconds: float = Field(default=30, gt=0, le=300)
    mail_from: str = Field(
        default="returns@localhost",
        description="Sender address of customer e-mails for merchants that set none "
        "(updateMailSettings).",
    )
    mail_interval_seconds: float = Field(
        default=5,
        ge=0,
        description="How often this process sends due customer e-mails (also right after "
        "each commit that queued some); 0 leaves sending to other processes.",
    )
    mail_approval_settle_seconds: float = Field(
        default=60,
        ge=0,
        le=3600,
        description="How long an approval e-mail waits, so the label and tracking number the "
        "merchant records just after approving are in it.",
    )
    dev_mailbox: bool | None = Field(
        default=None,
        description="Serve /dev/mailbox and deliver e-mails there instead of SMTP; default: on "
        "with dev credentials and no RETURNS_SMTP_URL, never otherwise.",
    )

    @field_validator("public_base_url", "sms_gateway_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value else None

    def portal_key(self) -> bytes | None:
        """The portal signing key; a fixed one only in development (dev credentials on),
        so production never signs with a key anyone can read in this file."""
        if self.portal_secret is not None:
            return self.portal_secret.get_secret_value().encode()
        return DEV_PORTAL_SECRET.encode() if self.dev_credentials else None

    def dev_mailbox_enabled(self) -> bool:
        """The development mailbox: only without an SMTP server, and by default only under
        `make run`, so production never serves customers' e-mails on a page."""
        if self.smtp_url is not None:
            return False
        return self.dev_credentials if self.dev_mailbox is None else self.dev_mailbox

    def base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"

    ws_init_timeout_seconds: float = Field(
        default=10, gt=0, description="A websocket must send connection_init within this."
    )
    ws_heartbeat_seconds: float = Field(
        default=30,
        gt=0,
        description="Ping idle websockets this often; drop peers that miss a pong.",
    )
    ws_max_subscriptions: int = Field(
        default=20, ge=1, description="Subscriptions one websocket connection may hold at once."
    )
    ws_legacy_protocol: bool = Field(
        default=False, description="Also accept the legacy `graphql-ws` subprotocol."
    )
    subscriber_queue_size: int = Field(
        default=1000,
        ge=1,
        description="Frames that may wait for a connection too slow to take them at once; a "
        "subscriber whose backlog grows past this is closed (4429) and resumes after the last "
        "position it was sent.",
    )
    event_poll_seconds: float = Field(
        default=5,
        gt=0,
        description="How often each process re-reads the event log even without a wake-up.",
    )
    webhook_interval_seconds: float = Field(
        default=2,
        ge=0,
        description="How often this process sends due webhook deliveries (also right after "
        "each commit); 0 leaves sending to other processes.",
    )
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=60)
    idempotency_lease_seconds: float = Field(
        default=60,
        gt=0,
        description="How long a request holds its Idempotency-Key while it runs: a retry "
        "after a crash waits this long, then takes the key over. Keep it above the longest "
        "request; one that outlives it and is taken over cannot commit its work.",
    )
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Let webhooks reach loopback, private and link-local addresses "
        "(development and tests only).",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins (https://dash.example.com) allowed to call the API "
        "(CORS) and open websockets, besides its own; none by default, plus any "
        "http://localhost:<port> when dev credentials are on.",
    )

    staff_session_hours: float = Field(
        default=12,
        gt=0,
        le=24 * 30,
        description="A desk session ends this long after signing in, however busy.",
    )
    staff_session_idle_minutes: float = Field(
        default=60,
        gt=0,
        description="A desk session ends after this long without a request.",
    )
    staff_session_sweep_seconds: float = Field(
        default=15,
        ge=0,
        description="How often each process closes the desk websockets of sessions that "
        "have expired (idle or absolute end) or ended unheard; 0: never in this process. "
        "Sign-out, a new password and a disabled user close them at once, everywhere.",
    )
    staff_link_hours: float = Field(
        default=72,
        gt=0,
        le=24 * 14,
        description="How long an invitation or password-reset link works (once).",
    )
    staff_password_time_cost: int = Field(
        default=3, ge=1, description="argon2id passes over memory (OWASP: 2 or more)."
    )
    staff_password_memory_kib: int = Field(
        default=64 * 1024,
        ge=8,
        description="argon2id memory per hash, in KiB (64 MiB; tests lower it to stay quick).",
    )
    staff_password_parallelism: int = Field(default=1, ge=1, le=16)

    metrics_token: SecretStr | None = Field(
        default=None,
        min_length=16,
        description="Bearer token GET /metrics requires; without it, /metrics answers only "
        "connections from this host that no proxy forwarded.",
    )

"""the event log's positions are assigned after commit, by one sequencer per tenant

Writers no longer hold a tenant-wide lock from their outbox append to their commit: an event
is inserted without a `sequence`, and right after the commit the writer runs
`returns_sequence_events(tenant)`, which numbers every committed, unnumbered event of the
tenant under a short per-tenant lock (PostgreSQL; SQLite numbers in the write transaction,
its writers being serialised anyway). Readers follow `sequence`.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with persistence/outbox.py (SEQUENCER_LOCK_NAMESPACE, EVENTS_CHANNEL): a
# migration describes the schema of its day, so it does not import the code of today.
_SEQUENCER = """
CREATE OR REPLACE FUNCTION returns_sequence_events(p_tenant text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    numbered bigint;
    newest bigint;
BEGIN
    -- One sequencer per tenant at a time; each statement below takes a fresh snapshot
    -- (READ COMMITTED) after the lock is held, so it sees every transaction that committed
    -- before this call, and what commits later is numbered by its own writer's call.
    PERFORM pg_advisory_xact_lock(1380275285, hashtext(p_tenant));
    SELECT coalesce(max(sequence), 0) INTO newest
      FROM outbox_events WHERE tenant_id = p_tenant AND sequence IS NOT NULL;
    UPDATE outbox_events AS o
       SET sequence = newest + n.rank
      FROM (SELECT position, row_number() OVER (ORDER BY position) AS rank
              FROM outbox_events
             WHERE tenant_id = p_tenant AND sequence IS NULL) AS n
     WHERE o.position = n.position;
    GET DIAGNOSTICS numbered = ROW_COUNT;
    IF numbered > 0 THEN
        newest := newest + numbered;
        -- Delivered at commit, and only then: listeners read the log from their cursor.
        PERFORM pg_notify('returns_events', newest || ' ' || p_tenant);
    END IF;
    RETURN newest;
END
$$;
"""


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.BigInteger(), nullable=True))
    op.execute("UPDATE outbox_events SET sequence = position")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_events_tenant_sequence", ["tenant_id", "sequence"], unique=True
        )
        batch_op.create_index(
            "ix_outbox_events_unsequenced",
            ["tenant_id"],
            postgresql_where=sa.text("sequence IS NULL"),
            sqlite_where=sa.text("sequence IS NULL"),
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SEQUENCER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS returns_sequence_events(text)")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_unsequenced")
        batch_op.drop_index("ix_outbox_events_tenant_sequence")
        batch_op.drop_column("sequence")

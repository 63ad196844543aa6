"""A request id made here reads as `uuid.uuid4().hex` did: 32 hex digits of a version-4 UUID."""

from __future__ import annotations

import uuid

from edge.logs import new_request_id


def test_a_new_request_id_is_a_version_4_uuid_in_hex() -> None:
    made = {new_request_id() for _ in range(1000)}
    assert len(made) == 1000
    for rid in made:
        parsed = uuid.UUID(hex=rid)
        assert (parsed.version, parsed.variant, parsed.hex) == (4, uuid.RFC_4122, rid)

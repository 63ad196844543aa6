"""The Carriyo Returns API compatibility shim: the seed's paths, methods, headers, snake_case
fields, lower-case statuses and status codes, over the same use cases as /graphql."""

from __future__ import annotations

import re

from core.wire import component_schemas, merged
from edge.json_answers import snake_field
from rest.carriyo import lookups, models, reference, returns, schemas, settings
from rest.http import Area

# Where our field names (as domain errors give them) differ from Carriyo's.
RENAMED = {
    "order_reference": "partner_order_reference",
    "reason_code": "return_reason",
    "image_urls": "images",
    "unit_price": "price",
}


def carriyo_field(name: str | None) -> str | None:
    """`items[0].reason_code` → `items[0].return_reason`: the domain's snake_case names in
    Carriyo's words (the shim's own body errors already name Carriyo's fields)."""
    snake = snake_field(name)
    if snake is None:
        return None
    return re.sub(r"[a-z0-9_]+", lambda m: RENAMED.get(m.group(0), m.group(0)), snake)


AREA = Area(
    name="carriyo",
    routes=(*returns.ROUTES, *lookups.ROUTES, *reference.ROUTES, *settings.ROUTES),
    schemas=merged(schemas.SCHEMAS, models.SCHEMAS, component_schemas(*models.REASON_BODIES)),
    field_name=carriyo_field,
)

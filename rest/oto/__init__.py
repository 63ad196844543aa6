"""The OTO shim: OTO's return-shipment endpoints (`POST /rest/v2/…`), over the same use
cases as /graphql. Fields keep OTO's camelCase names, in answers and in error bodies."""

from __future__ import annotations

from core.oto_format import oto_field
from rest.http import Area, Handler, Route
from rest.oto import routes
from rest.oto.openapi import OPERATIONS, SCHEMAS

PREFIX = "/rest/v2"


def _route(name: str, handler: Handler, *, reads: bool = False) -> Route:
    kind = routes.ReadRoute if reads else Route
    return kind("POST", f"{PREFIX}/{name}", handler, {"operationId": name, **OPERATIONS[name]})


OTO = Area(
    name="OTO",
    routes=(
        _route("createReturnShipment", routes.create_return_shipment),
        # A link lets a customer create returns: only full-access keys may hand one out.
        _route("getReturnLink", routes.get_return_link),
        _route("getReturnDetails", routes.get_return_details, reads=True),
        _route("triggerReturnSms", routes.trigger_return_sms),
    ),
    schemas=SCHEMAS,
    field_name=oto_field,
)

"""What a customer tells about a return besides its items: where the parcel is picked up and
dropped off, how the request came in, what they want back and how, when a courier may call,
and a comment.

Declared once, for every layer: the aggregate holds one RequestDetails, CreateReturn carries
one and UpdateReturn names the ones to change; persistence saves them by name, and each face
reads its input into them by name. A new detail is one field here (with its check, if it
needs one), a column, and the faces' declarations of it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from domain.values import Address, TimeWindow, optional_code, optional_text

# A check takes a detail's value as given and its name, and returns the value to keep
# (trimmed, None for blank) or raises the DomainError that names the field.
Check = Callable[[Any, str], Any]


def _code(value: Any, name: str) -> str | None:
    """optional_code takes its field by keyword; a check gets it by position."""
    return optional_code(value, field=name)


def _checked_by(check: Check, *, editable: bool = True) -> dict[str, object]:
    """A detail's metadata: its check, and whether an update may change it (how a request
    came in is fixed at creation). A detail without metadata is kept as given, editable."""
    return {"check": check, "editable": editable}


@dataclass(frozen=True, kw_only=True)
class RequestDetails:
    pickup: Address | None = None
    dropoff: Address | None = None
    channel: str | None = field(default=None, metadata=_checked_by(_code, editable=False))
    resolution: str | None = field(default=None, metadata=_checked_by(_code))
    refund_method: str | None = field(default=None, metadata=_checked_by(_code))
    customer_comment: str | None = field(default=None, metadata=_checked_by(optional_text))
    collection: TimeWindow | None = None

    def checked(self) -> RequestDetails:
        """These details with every check applied: the first one refused raises."""
        return replace(self, **{f.name: _checked(f.name, getattr(self, f.name)) for f in _ALL})

    @staticmethod
    def checked_changes(changes: Mapping[str, object]) -> dict[str, object]:
        """An update's changes, checked: a name that is not an editable detail is the
        caller's mistake (no client can name one), so it raises ValueError, not a
        DomainError."""
        unknown = set(changes) - EDITABLE
        if unknown:
            raise ValueError(f"not editable request details: {sorted(unknown)}")
        return {name: _checked(name, changes[name]) for name in _CHECKS if name in changes}


_ALL = fields(RequestDetails)
# In declaration order, which is the order changes are checked and reported in.
_CHECKS: dict[str, Check | None] = {f.name: f.metadata.get("check") for f in _ALL}
DETAILS = tuple(_CHECKS)
EDITABLE = frozenset(f.name for f in _ALL if f.metadata.get("editable", True))


def _checked(name: str, value: object) -> object:
    check = _CHECKS[name]
    return value if check is None or value is None else check(value, name)

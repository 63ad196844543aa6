"""An item built from a row of any columns has the attributes the plain way gave: every
plain field (None when unread), renamed code columns, empty lists for missing lists, the
row's other columns and the merchant."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from graphql_api.returns.parts import _ITEM_LISTS, _ITEM_RENAMED, _ITEM_UNREAD, ReturnItemType
from persistence.tables import ReturnItemRow

COLUMNS = [column.name for column in ReturnItemRow.__table__.columns]
VALUES = st.none() | st.integers() | st.text(max_size=3) | st.lists(st.text(max_size=2))


def merged(row: dict[str, Any], merchant: str) -> dict[str, Any]:
    """The attributes as from_row made them by merging and renaming, one by one."""
    values = {**_ITEM_UNREAD, **row}
    for column, attribute in _ITEM_RENAMED:
        if column in values:
            values[attribute] = values.pop(column)
    for column in _ITEM_LISTS:
        if values[column] is None:
            values[column] = []
    values["merchant"] = merchant
    return values


@given(st.dictionaries(st.sampled_from(COLUMNS), VALUES, min_size=1), st.text(max_size=3))
def test_an_item_has_the_attributes_of_its_row_merged_into_the_defaults(
    row: dict[str, Any], merchant: str
) -> None:
    item = ReturnItemType.from_row(row, merchant)
    assert item.__dict__ == merged(dict(row), merchant)
    other = ReturnItemType.from_row(row, merchant)
    for name in _ITEM_LISTS:  # a list made for a missing value is the item's own
        if row.get(name) is None:
            assert item.__dict__[name] is not other.__dict__[name]

"""The portal's `isolate` filter: a value set apart in a <bdi> is still escaped, and a
sentence built around it escapes everything but the isolated value."""

from __future__ import annotations

import pytest

from pages.bidi import isolate
from pages.portal.i18n import Translator


def test_an_isolated_value_is_escaped_and_reads_left_to_right_when_a_code():
    assert isolate('<b>RR-1</b>"') == (
        '<bdi class="value-code" dir="ltr">&lt;b&gt;RR-1&lt;/b&gt;&#34;</bdi>'
    )


def test_text_and_money_take_their_direction_from_their_own_letters():
    assert 'dir="auto"' in isolate("شارع 12", "text")
    assert 'dir="auto"' in isolate("79.00 AED", "money")


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        isolate("x", "colour")


def test_a_sentence_keeps_the_isolated_value_as_markup_and_escapes_the_rest():
    t = Translator("ar")
    held = t("blocked_held", ids=isolate("RR-<1>"))
    assert '<bdi class="value-code" dir="ltr">RR-&lt;1&gt;</bdi>' in held
    assert t("title_order", order="<b>") == "إرجاع منتجات من الطلب <b>"  # plain text stays text

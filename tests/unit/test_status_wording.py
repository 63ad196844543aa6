"""Every status of a return request has words on the pages that show it: the portal's
(pages/portal/messages.py, English and Arabic) and the desk's (messages.js, English and
Arabic, and the desk's list of statuses in i18n.js). A status added to the domain fails here
until both have it. A status the portal has no words for still reads, as itself, rather than
failing the customer's page."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from domain.lifecycle import ReturnStatus
from pages.portal.i18n import Translator
from pages.portal.messages import MESSAGES

DESK = Path(__file__).parents[2] / "pages" / "static" / "desk"
STATUSES = [status.value for status in ReturnStatus]


def _desk_block(language: str) -> str:
    """The text of one language's table in messages.js (`const en = { … };`)."""
    text = (DESK / "messages.js").read_text(encoding="utf-8")
    found = re.search(rf"^const {language} = \{{\n(.*?)^\}};", text, re.S | re.M)
    assert found, f"messages.js has no table for {language}"
    return found.group(1)


def _desk_keys(language: str) -> set[str]:
    return set(re.findall(r'^\s*"([^"]+)":', _desk_block(language), re.M))


@pytest.mark.parametrize("language", sorted(MESSAGES))
def test_the_portal_words_every_status(language: str) -> None:
    missing = [s for s in STATUSES if f"status_{s.lower()}" not in MESSAGES[language]]
    assert not missing, f"pages/portal/messages.py ({language}) has no words for {missing}"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_desk_words_every_status(language: str) -> None:
    keys = _desk_keys(language)
    missing = [s for s in STATUSES if f"status.{s}" not in keys]
    assert not missing, f"pages/static/desk/messages.js ({language}) has no words for {missing}"


def test_the_desk_lists_every_status_in_lifecycle_order() -> None:
    text = (DESK / "i18n.js").read_text(encoding="utf-8")
    found = re.search(r"export const STATUSES = \[(.*?)\];", text, re.S)
    assert found, "i18n.js declares no STATUSES"
    assert re.findall(r'"([A-Z_]+)"', found.group(1)) == STATUSES


def test_a_status_without_words_reads_as_itself(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="pages.portal.i18n"):
        assert Translator("ar").status("LOST_AT_SEA") == "Lost at sea"
    assert "LOST_AT_SEA" in caplog.text
    assert Translator("ar").status("APPROVED") == MESSAGES["ar"]["status_approved"]

"""Portal settings end up in HTML, CSS and a Content-Security-Policy: only safe values pass."""

from __future__ import annotations

import pytest

from domain.errors import DomainErrors
from domain.portal import PortalSettings, validated_portal_settings


def test_valid_settings_are_normalised() -> None:
    settings = validated_portal_settings(
        PortalSettings(
            merchant="acme",
            display_name="  Acme Store ",
            logo_url="https://cdn.acme.example/logo.png",
            accent_colour="#AA3300",
            support_email="help@acme.example",
        )
    )
    assert settings.display_name == "Acme Store"
    assert settings.accent_colour == "#aa3300"
    assert settings.logo_origin == "https://cdn.acme.example"


def test_a_logo_served_by_this_server_needs_no_other_origin() -> None:
    settings = validated_portal_settings(PortalSettings("acme", logo_url="/static/logo.png"))
    assert settings.logo_origin is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accent_colour": "red; background: url(x)"}, "accent_colour"),
        ({"accent_colour": "#12345"}, "accent_colour"),
        ({"logo_url": "javascript:alert(1)"}, "logo_url"),
        ({"logo_url": "data:image/png;base64,AAAA"}, "logo_url"),
        ({"logo_url": "http://plain.example/logo.png"}, "logo_url"),
        ({"logo_url": "//evil.example/logo.png"}, "logo_url"),
        ({"support_email": "not an email"}, "support_email"),
        ({"display_name": "x" * 201}, "display_name"),
    ],
)
def test_unsafe_or_malformed_values_are_refused_naming_the_field(changes, field) -> None:
    with pytest.raises(DomainErrors) as caught:
        validated_portal_settings(PortalSettings("acme", **changes))
    assert [e.field for e in caught.value.errors] == [field]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(DomainErrors) as caught:
        validated_portal_settings(
            PortalSettings("acme", accent_colour="blue", logo_url="ftp://x", support_email="@")
        )
    assert {e.field for e in caught.value.errors} == {"accent_colour", "logo_url", "support_email"}

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
        ({"logo_url": "https://evil.example;report-uri/x"}, "logo_url"),
        ({"logo_url": "https://evil.example report-uri/x"}, "logo_url"),
        ({"logo_url": "https://cdn.example'/logo.png"}, "logo_url"),
        ({"logo_url": "https://user@cdn.example/logo.png"}, "logo_url"),
        ({"logo_url": "https://cdn.example:99999/logo.png"}, "logo_url"),
        ({"logo_url": "https:///logo.png"}, "logo_url"),
        ({"logo_url": "/\\evil.example/logo.png"}, "logo_url"),
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


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://CDN.Acme.example/brand/logo;v=2.png?x=1", "https://cdn.acme.example"),
        ("https://cdn.acme.example:8443/logo.png", "https://cdn.acme.example:8443"),
    ],
)
def test_only_the_origin_of_a_well_formed_address_is_kept_for_the_header(url, origin) -> None:
    settings = validated_portal_settings(PortalSettings("acme", logo_url=url))
    assert settings.logo_url == url
    assert settings.logo_origin == origin


def test_a_stored_malformed_logo_has_no_origin_and_is_not_shown() -> None:
    stored = PortalSettings("acme", logo_url="https://evil.example;report-uri/x")
    assert stored.logo_origin is None
    assert stored.shown_logo_url is None

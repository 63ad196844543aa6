"""How a merchant's return portal looks to its customers: the brand (name, logo, accent
colour), whom to ask for help, and the return policy shown beside the form.

Values are checked here, once, because the portal puts them into HTML, a stylesheet and a
Content-Security-Policy: a colour must be a colour and a logo address must be https (or a
path on this server), never a `javascript:` or `data:` URL."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from domain.errors import DomainErrors, InvalidInput
from domain.urls import URL_LIMIT, https_origin, is_local_path
from domain.values import optional_code, optional_text

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_ACCENT = "#0b57d0"
NAME_LIMIT = 200
CONTACT_LIMIT = 320
POLICY_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class PortalSettings:
    merchant: str
    display_name: str | None = None
    logo_url: str | None = None
    accent_colour: str = DEFAULT_ACCENT
    support_email: str | None = None
    support_phone: str | None = None
    return_policy: str | None = None

    @property
    def logo_origin(self) -> str | None:
        """The site the logo comes from (for the page's img-src), None for our own paths.
        Checked again here: a row stored before the check was strict must not reach a header."""
        return https_origin(self.logo_url)

    @property
    def shown_logo_url(self) -> str | None:
        """The logo address to put on the page, None when it is not one we would accept."""
        if is_local_path(self.logo_url) or self.logo_origin:
            return self.logo_url
        return None


def default_portal_settings(merchant: str) -> PortalSettings:
    return PortalSettings(merchant=merchant)


def validated_portal_settings(settings: PortalSettings) -> PortalSettings:
    """The settings normalised, or every problem at once (InvalidInput per field)."""
    problems: list[InvalidInput] = []
    values: dict[str, object] = {}
    checks = {
        "merchant": lambda: optional_code(settings.merchant, field="merchant"),
        "display_name": lambda: optional_text(settings.display_name, "display_name", NAME_LIMIT),
        "logo_url": lambda: _logo_url(settings.logo_url),
        "accent_colour": lambda: _colour(settings.accent_colour),
        "support_email": lambda: _email(settings.support_email),
        "support_phone": lambda: optional_text(settings.support_phone, "support_phone", 40),
        "return_policy": lambda: optional_text(
            settings.return_policy, "return_policy", POLICY_LIMIT
        ),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except InvalidInput as problem:
            problems.append(problem)
    if not values.get("merchant") and not problems:
        problems.append(InvalidInput("merchant must not be empty", field="merchant"))
    if problems:
        raise DomainErrors(problems)
    return replace(settings, **values)  # type: ignore[arg-type]


def _colour(value: str | None) -> str:
    if value is None:
        return DEFAULT_ACCENT
    if not isinstance(value, str) or not COLOUR.fullmatch(value.strip()):
        raise InvalidInput("the accent colour must be a colour like #0b57d0", field="accent_colour")
    return value.strip().lower()


def _logo_url(value: str | None) -> str | None:
    url = optional_text(value, "logo_url", URL_LIMIT)
    if url is None or is_local_path(url) or https_origin(url):
        return url
    raise InvalidInput(
        "the logo address must be a well-formed https:// address (a host name, an optional"
        " port, then the path) or a path on this server",
        field="logo_url",
    )


def _email(value: str | None) -> str | None:
    email = optional_text(value, "support_email", CONTACT_LIMIT)
    if email is not None and not re.fullmatch(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+", email):
        raise InvalidInput("the support email must be an email address", field="support_email")
    return email

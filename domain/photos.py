"""Photos customers attach to a return: what counts as an image, how many and how large, and
the port that keeps them (a local folder by default, any object store behind the same
Protocol).

The type is read from the bytes themselves, never from the file name or the browser's
Content-Type, both of which the sender chooses: only JPEG, PNG and WebP signatures pass."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from domain.errors import DomainError, ErrorCode, InvalidInput

PHOTO_ID = re.compile(r"[A-Za-z0-9_-]{24}\.(jpg|png|webp)")


class ImageKind(StrEnum):
    JPEG = "jpg"
    PNG = "png"
    WEBP = "webp"

    @property
    def media_type(self) -> str:
        return {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[self.value]


def sniff_image(data: bytes) -> ImageKind | None:
    """The image kind the bytes' signature names, or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return ImageKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageKind.PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ImageKind.WEBP
    return None


@dataclass(frozen=True, slots=True)
class PhotoLimits:
    max_bytes: int = 5 * 1024 * 1024
    max_per_item: int = 5

    def check(self, data: bytes, *, field: str) -> ImageKind:
        """The photo's kind, or a refusal a customer can act on."""
        if not data:
            raise InvalidInput("the photo is empty", field=field)
        if len(data) > self.max_bytes:
            megabytes = self.max_bytes / (1024 * 1024)
            raise DomainError(
                f"a photo may be at most {megabytes:g} MB",
                field=field,
                code=ErrorCode.LIMIT_EXCEEDED,
            )
        kind = sniff_image(data)
        if kind is None:
            raise InvalidInput("photos must be JPEG, PNG or WebP images", field=field)
        return kind


def new_photo_id(kind: ImageKind) -> str:
    """A fresh, unguessable id (PHOTO_ID): chosen before a photo is stored, so a return can
    name its photos in the same step that decides whether they are kept at all."""
    return f"{secrets.token_urlsafe(18)}.{kind.value}"


class PhotoStore(Protocol):
    """Keeps photo bytes per tenant under ids this service makes up (PHOTO_ID, given or
    chosen by the store); never trusts names."""

    async def save(
        self, tenant_id: str, data: bytes, kind: ImageKind, photo_id: str | None = None
    ) -> str: ...

    async def load(self, tenant_id: str, photo_id: str) -> tuple[bytes, ImageKind] | None: ...

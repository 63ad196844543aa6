"""Customers' return photos: kept by a PhotoStore (a local folder unless configured), linked
from the item's `imageUrls` as `/photos/<id>` (served by pages/photos.py)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.photos import PhotoLimits, PhotoStore

PHOTOS_PATH = "/photos"


@dataclass(frozen=True)
class Photos:
    store: PhotoStore
    limits: PhotoLimits

    @staticmethod
    def url(base_url: str, photo_id: str) -> str:
        return f"{base_url}{PHOTOS_PATH}/{photo_id}"

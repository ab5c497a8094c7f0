"""Names of the plant's items and resources, for pickers and for plain-word answers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.services.checks import current_plant


@dataclass(frozen=True, slots=True)
class Catalogue:
    # (sku, name), sorted by sku.
    items: list[tuple[str, str]]
    # code -> name
    resources: dict[str, str]


def plant_catalogue(session: Session) -> Catalogue:
    """From the cached plant: reading it costs one query when the data did not change."""
    _version, plant = current_plant(session)
    return Catalogue(
        items=sorted((sku, item.name) for sku, item in plant.items.items()),
        resources={code: resource.name for code, resource in plant.resources.items()},
    )

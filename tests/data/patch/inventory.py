"""A small in-memory inventory used by the warehouse examples."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

DEFAULT_LOCATION = "main"
MAX_QUANTITY = 10_000


class InventoryError(Exception):
    """Raised when a stock operation cannot be performed."""


@dataclass
class Item:
    sku: str
    name: str
    price: float
    quantity: int = 0
    tags: list[str] = field(default_factory=list)

    def total_value(self) -> float:
        return self.price * self.quantity

    def has_tag(self, tag: str) -> bool:
        return tag in self.tags


class Inventory:
    def __init__(self, location: str = DEFAULT_LOCATION) -> None:
        self.location = location
        self._items: dict[str, Item] = {}
        self._history: list[tuple[str, int]] = []

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, sku: str) -> bool:
        return sku in self._items

    def add(self, item: Item) -> None:
        if item.sku in self._items:
            raise InventoryError(f"duplicate sku {item.sku}")
        if item.quantity < 0:
            raise InventoryError("quantity must not be negative")
        self._items[item.sku] = item
        self._history.append((item.sku, item.quantity))
        logger.debug("added %s", item.sku)

    def get(self, sku: str) -> Item | None:
        if not self._items:
            return None
        return self._items.get(sku)

    def remove(self, sku: str) -> Item:
        item = self._items.pop(sku, None)
        if item is None:
            raise InventoryError(f"unknown sku {sku}")
        self._history.append((sku, -item.quantity))
        return item

    def restock(self, sku: str, amount: int) -> int:
        item = self.get(sku)
        if item is None:
            raise InventoryError(f"unknown sku {sku}")
        if amount <= 0:
            raise InventoryError("amount must be positive")
        if item.quantity + amount > MAX_QUANTITY:
            raise InventoryError("quantity limit exceeded")
        item.quantity += amount
        self._history.append((sku, amount))
        return item.quantity

    def sell(self, sku: str, amount: int) -> float:
        item = self.get(sku)
        if item is None:
            raise InventoryError(f"unknown sku {sku}")
        if amount <= 0:
            raise InventoryError("amount must be positive")
        if amount > item.quantity:
            raise InventoryError("not enough stock")
        item.quantity -= amount
        self._history.append((sku, -amount))
        return item.price * amount

    def total_value(self) -> float:
        return sum(item.total_value() for item in self._items.values())

    def low_stock(self, threshold: int = 5) -> list[Item]:
        result = []
        for item in self._items.values():
            if item.quantity < threshold:
                result.append(item)
        return sorted(result, key=lambda item: item.quantity)

    def by_tag(self, tag: str) -> list[Item]:
        if not self._items:
            return []
        return [item for item in self._items.values() if item.has_tag(tag)]

    def history(self, sku: str | None = None) -> list[tuple[str, int]]:
        if sku is None:
            return list(self._history)
        return [entry for entry in self._history if entry[0] == sku]

    def merge(self, other: Inventory) -> None:
        for item in other._items.values():
            existing = self.get(item.sku)
            if existing is None:
                self.add(Item(item.sku, item.name, item.price, item.quantity, list(item.tags)))
            else:
                existing.quantity += item.quantity
                self._history.append((item.sku, item.quantity))

    def __repr__(self) -> str:
        return f"Inventory({self.location!r}, {len(self)} items)"


def load_items(rows: Iterable[dict]) -> list[Item]:
    items = []
    for row in rows:
        if not row:
            continue
        sku = str(row["sku"]).strip()
        name = str(row.get("name", sku)).strip()
        price = float(row.get("price", 0))
        quantity = int(row.get("quantity", 0))
        tags = [tag.strip() for tag in row.get("tags", "").split(",") if tag.strip()]
        items.append(Item(sku, name, price, quantity, tags))
    return items


def build_inventory(rows: Iterable[dict], location: str = DEFAULT_LOCATION) -> Inventory:
    inventory = Inventory(location)
    for item in load_items(rows):
        inventory.add(item)
    return inventory


def summarize(inventory: Inventory) -> dict[str, float]:
    if not len(inventory):
        return {"items": 0.0, "value": 0.0}
    return {
        "items": float(len(inventory)),
        "value": round(inventory.total_value(), 2),
    }

"""Quantities on hand, per SKU."""

from __future__ import annotations

from collections.abc import Iterator

from inventory.models import InsufficientStock, InventoryError, Item, UnknownItem


def _check_quantity(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InventoryError(f"quantity must be a positive int: {quantity!r}")


class Stock:
    def __init__(self) -> None:
        self._items: dict[str, Item] = {}
        self._on_hand: dict[str, int] = {}

    def register(self, item: Item, quantity: int = 0) -> None:
        if item.sku in self._items:
            raise InventoryError(f"{item.sku} is already registered")
        self._items[item.sku] = item
        self._on_hand[item.sku] = 0
        if quantity:
            self.add(item.sku, quantity)

    def item(self, sku: str) -> Item:
        try:
            return self._items[sku]
        except KeyError:
            raise UnknownItem(sku) from None

    def quantity(self, sku: str) -> int:
        self.item(sku)
        return self._on_hand[sku]

    def add(self, sku: str, quantity: int) -> int:
        """Receive ``quantity`` units; returns the new quantity on hand."""
        _check_quantity(quantity)
        self._on_hand[sku] = self.quantity(sku) + quantity
        return self._on_hand[sku]

    def remove(self, sku: str, quantity: int) -> int:
        """Take ``quantity`` units out; returns the quantity left."""
        _check_quantity(quantity)
        available = self.quantity(sku)
        if quantity >= available:
            raise InsufficientStock(f"{sku}: {quantity} asked for, {available} on hand")
        self._on_hand[sku] = available - quantity
        return self._on_hand[sku]

    def low_stock(self, threshold: int) -> list[str]:
        """SKUs with at most ``threshold`` units on hand, sorted."""
        return sorted(sku for sku, quantity in self._on_hand.items() if quantity <= threshold)

    def __iter__(self) -> Iterator[tuple[Item, int]]:
        for sku in sorted(self._items):
            yield self._items[sku], self._on_hand[sku]

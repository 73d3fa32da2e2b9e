"""Items and the errors of the inventory."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


class InventoryError(Exception):
    """Base class of the inventory's errors."""


class UnknownItem(InventoryError):
    """A SKU that was never registered."""


class InsufficientStock(InventoryError):
    """A removal of more units than are on hand."""


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    unit_price: Decimal

    def __post_init__(self) -> None:
        if not self.sku or self.sku != self.sku.strip().upper():
            raise InventoryError(f"SKU must be non-empty, upper case, unpadded: {self.sku!r}")
        try:
            price = Decimal(str(self.unit_price))
        except InvalidOperation:
            raise InventoryError(f"not a price: {self.unit_price!r}") from None
        if not price.is_finite() or price < 0:
            raise InventoryError(f"not a price: {self.unit_price!r}")
        object.__setattr__(self, "unit_price", price)

"""Stock keeping: items, quantities on hand and their value."""

from inventory.models import InsufficientStock, InventoryError, Item, UnknownItem
from inventory.stock import Stock
from inventory.valuation import line_value, report, total_value

__all__ = [
    "InsufficientStock",
    "InventoryError",
    "Item",
    "Stock",
    "UnknownItem",
    "line_value",
    "report",
    "total_value",
]

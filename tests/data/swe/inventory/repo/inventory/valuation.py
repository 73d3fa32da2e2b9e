"""What the stock is worth, in cents-exact decimals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from inventory.models import Item
from inventory.stock import Stock

CENT = Decimal("0.01")


def line_value(item: Item, quantity: int) -> Decimal:
    return (item.unit_price * quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def total_value(stock: Stock) -> Decimal:
    return sum((line_value(item, quantity) for item, quantity in stock), Decimal("0.00"))


def report(stock: Stock) -> list[str]:
    """One line per item, then the total: SKU, name, quantity and value, in columns."""
    lines = [
        f"{item.sku:<10}{item.name:<20}{quantity:>6}{line_value(item, quantity):>12}"
        for item, quantity in stock
    ]
    lines.append(f"{'TOTAL':<36}{total_value(stock):>12}")
    return lines

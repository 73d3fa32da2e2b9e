from decimal import Decimal

from inventory.models import Item
from inventory.stock import Stock
from inventory.valuation import line_value, report, total_value


def test_line_value_rounds_half_up():
    assert line_value(Item("PIN-1", "Pin", "0.125"), 1) == Decimal("0.13")
    assert line_value(Item("PIN-1", "Pin", "0.333"), 3) == Decimal("1.00")


def test_total_and_report():
    stock = Stock()
    stock.register(Item("NUT-10", "Nut M10", "0.10"), 4)
    stock.register(Item("BOLT-10", "Bolt M10", "0.35"), 10)
    assert total_value(stock) == Decimal("3.90")
    assert report(stock) == [
        "BOLT-10   Bolt M10                10        3.50",
        "NUT-10    Nut M10                  4        0.40",
        "TOTAL                                       3.90",
    ]

import pytest
from inventory.models import InsufficientStock, InventoryError, Item, UnknownItem
from inventory.stock import Stock


@pytest.fixture
def stock():
    stock = Stock()
    stock.register(Item("BOLT-10", "Bolt M10", "0.35"), 100)
    stock.register(Item("NUT-10", "Nut M10", "0.10"), 4)
    return stock


def test_add_and_remove(stock):
    assert stock.add("NUT-10", 6) == 10
    assert stock.remove("BOLT-10", 30) == 70
    assert stock.quantity("BOLT-10") == 70


def test_remove_more_than_on_hand(stock):
    with pytest.raises(InsufficientStock, match="5 asked for, 4 on hand"):
        stock.remove("NUT-10", 5)
    assert stock.quantity("NUT-10") == 4


def test_unknown_and_duplicate(stock):
    with pytest.raises(UnknownItem):
        stock.add("WASHER-10", 1)
    with pytest.raises(InventoryError, match="already registered"):
        stock.register(Item("BOLT-10", "Bolt", "1"))


def test_bad_quantities(stock):
    for quantity in [0, -3, 1.5, True]:
        with pytest.raises(InventoryError, match="positive int"):
            stock.add("BOLT-10", quantity)


def test_low_stock(stock):
    assert stock.low_stock(4) == ["NUT-10"]
    assert stock.low_stock(3) == []

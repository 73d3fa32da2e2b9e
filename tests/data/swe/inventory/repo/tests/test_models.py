from decimal import Decimal

import pytest
from inventory.models import InventoryError, Item


def test_price_becomes_decimal():
    assert Item("BOLT-10", "Bolt M10", "0.35").unit_price == Decimal("0.35")
    assert Item("NUT-10", "Nut M10", 0.1).unit_price == Decimal("0.1")


@pytest.mark.parametrize("sku", ["bolt-10", "Bolt-10", "BOLT-x"])
def test_sku_must_be_upper_case(sku):
    with pytest.raises(InventoryError, match="SKU"):
        Item(sku, "Bolt", "1")


def test_sku_must_be_non_empty_and_unpadded():
    for sku in ["", " BOLT-10", "BOLT-10\n"]:
        with pytest.raises(InventoryError, match="SKU"):
            Item(sku, "Bolt", "1")


def test_bad_price():
    for price in ["-1", "abc", "NaN"]:
        with pytest.raises(InventoryError, match="price"):
            Item("BOLT-10", "Bolt", price)

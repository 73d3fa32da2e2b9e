import pytest
from calc.ops import CalcError, add, div, mean, mul, sub


def test_add():
    assert add(2, 3) == 5
    assert add(0.5, 0.25) == 0.75


def test_sub_and_mul():
    assert sub(2, 5) == -3
    assert mul(-4, 2.5) == -10


def test_mean():
    assert mean([1, 2, 3, 4]) == 2.5
    with pytest.raises(CalcError, match="no values"):
        mean([])


def test_rejects_non_numbers():
    with pytest.raises(CalcError, match="not a number"):
        add("1", 2)
    with pytest.raises(CalcError, match="not a number"):
        mul(True, 3)


class TestDivide:
    def test_exact(self):
        assert div(7, 2) == 3.5

    def test_zero(self):
        with pytest.raises(CalcError, match="division by zero"):
            div(1, 0)

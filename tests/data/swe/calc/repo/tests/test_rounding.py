import pytest
from calc.ops import CalcError
from calc.rounding import round_half_up


def test_round_down():
    assert round_half_up(2.4) == 2
    assert round_half_up(-2.4) == -2


def test_round_digits():
    assert round_half_up(3.14159, 2) == 3.14
    assert round_half_up(2.71828, 3) == 2.718


def test_round_returns_int():
    result = round_half_up(7.6)
    assert result == 8
    assert isinstance(result, int)


def test_bad_digits():
    with pytest.raises(CalcError):
        round_half_up(1.5, -1)
    with pytest.raises(CalcError):
        round_half_up(1.5, 1.0)

import pytest
from calc.ops import CalcError
from calc.parser import evaluate, tokenize


def test_tokenize():
    assert tokenize("12 + 3.5*(2)") == [12, "+", 3.5, "*", "(", 2, ")"]


def test_precedence():
    assert evaluate("1 + 2 * 3") == 7
    assert evaluate("(1 + 2) * 3") == 9
    assert evaluate("8 / 4 / 2") == 1


def test_unary_minus():
    assert evaluate("-3 + -(2 - 5)") == 0


def test_rounded_result():
    assert evaluate("10 / 3", digits=2) == 3.33
    assert evaluate("2 * 3", digits=0) == 6


def test_errors():
    for text in ["", "1 +", "(1 + 2", "1 $ 2", "1 2"]:
        with pytest.raises(CalcError):
            evaluate(text)

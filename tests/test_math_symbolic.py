"""The math verifier on symbolic answers: radicals, constants, functions, polynomials."""

from __future__ import annotations

import pytest

from tests.math_helpers import judge

EQUAL = [
    # radicals
    ("\\sqrt{8}", "2\\sqrt{2}"),
    ("2\\sqrt{2}", "\\sqrt{8}"),
    ("\\sqrt8", "2\\sqrt2"),
    ("\\sqrt{12}", "2\\sqrt{3}"),
    ("\\sqrt{50}", "5\\sqrt2"),
    ("\\sqrt[3]{4}", "2^{2/3}"),
    ("\\sqrt[3]{8}", "2"),
    ("\\sqrt[3]{-8}", "-2"),
    ("\\sqrt[4]{16}", "2"),
    ("\\frac{1}{\\sqrt2}", "\\frac{\\sqrt2}{2}"),
    ("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}"),
    ("\\frac{3}{\\sqrt{3}}", "\\sqrt3"),
    ("\\frac{1}{\\sqrt{3}-1}", "\\frac{\\sqrt{3}+1}{2}"),
    ("\\sqrt{2}\\sqrt{3}", "\\sqrt{6}"),
    ("(\\sqrt{2})^2", "2"),
    ("2^{1/2}", "\\sqrt2"),
    ("\\sqrt{\\frac{1}{4}}", "\\frac12"),
    ("\\frac{\\sqrt{6}}{3}", "\\sqrt{\\frac{2}{3}}"),
    ("3+2\\sqrt2", "(1+\\sqrt2)^2"),
    # pi and e
    ("\\pi", "\u03c0"),
    ("2\\pi", "2\u03c0"),
    ("\\frac{\\pi}{2}", "\\frac{1}{2}\\pi"),
    ("\\frac{\\pi}{2}", "\\pi/2"),
    ("4\\pi", "\\pi+3\\pi"),
    ("e^{2}", "\\exp(2)"),
    ("e^2", "e\\cdot e"),
    ("\\exp(1)", "e"),
    ("e^{0}", "1"),
    # logarithms
    ("\\ln 8", "3\\ln 2"),
    ("3\\ln2", "\\ln8"),
    ("\\log 8", "3\\ln 2"),
    ("\\log_{2} 8", "3"),
    ("\\log_2 8", "3"),
    ("\\log_{10} 1000", "3"),
    ("\\log_{3}81", "4"),
    ("\\ln(e^{3})", "3"),
    ("\\ln 1", "0"),
    ("\\ln 6", "\\ln 2 + \\ln 3"),
    ("\\log_{2} 3", "\\frac{\\ln 3}{\\ln 2}"),
    # trigonometry
    ("1", "\\sin^2 x + \\cos^2 x"),
    ("1", "\\tan\\frac{\\pi}{4}"),
    ("\\frac12", "\\sin \\frac{\\pi}{6}"),
    ("\\frac12", "\\cos\\left(\\frac{\\pi}{3}\\right)"),
    ("\\frac{\\sqrt3}{2}", "\\sin\\frac{\\pi}{3}"),
    ("0", "\\sin\\pi"),
    ("-1", "\\cos\\pi"),
    ("\\sin 2x", "2\\sin x\\cos x"),
    ("\\sqrt3", "\\tan 60^\\circ"),
    ("\\frac{\\pi}{4}", "\\arctan 1"),
    ("\\frac{\\pi}{6}", "\\arcsin\\frac12"),
    # factorials and binomials
    ("120", "5!"),
    ("5!", "120"),
    ("1", "0!"),
    ("3628800", "10!"),
    ("\\frac{6!}{4!}", "30"),
    ("10", "\\binom{5}{2}"),
    ("10", "\\dbinom{5}{2}"),
    ("10", "\\tbinom{5}{3}"),
    ("\\binom{10}{3}", "120"),
    ("\\frac{n(n-1)}{2}", "\\dbinom{n}{2}"),
    ("\\binom{n}{2}", "\\frac{n^2-n}{2}"),
    # polynomials
    ("(x+1)^2", "x^2+2x+1"),
    ("x^2+2x+1", "(x+1)^2"),
    ("x^2-1", "(x-1)(x+1)"),
    ("(x-1)(x+1)", "x^2-1"),
    ("(x+1)^3", "x^3+3x^2+3x+1"),
    ("(a+b)^2", "a^2+2ab+b^2"),
    ("x^2-5x+6", "(x-2)(x-3)"),
    ("2x+2", "2(x+1)"),
    ("\\frac{x^2-1}{x-1}", "x+1"),
    ("x+1", "1+x"),
    ("\\frac{x}{2}", "\\frac12 x"),
    ("\\frac{x}{2}", "0.5x"),
    ("x^{-1}", "\\frac{1}{x}"),
    ("-x+3", "3-x"),
    # implicit multiplication, \cdot, \times, \left( \right)
    ("2x", "2 \\cdot x"),
    ("2x", "2\\times x"),
    ("2x", "x\\cdot 2"),
    ("6", "2\\cdot3"),
    ("6", "2\\times 3"),
    ("abx-aby", "ab(x-y)"),
    ("ab(x-y)", "a b (x - y)"),
    ("\\frac{bx(h-x)}{h}", "\\frac{bx}{h}(h-x)"),
    ("\\frac{bx}{h}(h-x)", "\\frac{b x (h - x)}{h}"),
    ("2(x+1)", "2\\left(x+1\\right)"),
    ("\\left(\\frac{1}{2}\\right)^2", "\\frac14"),
    ("x^2y", "x \\cdot x \\cdot y"),
    ("3xy", "3yx"),
    ("\\frac{1}{2}xy", "\\frac{xy}{2}"),
]

DIFFERENT = [
    # radicals
    ("\\sqrt{8}", "3\\sqrt{2}"),
    ("\\sqrt{8}", "2\\sqrt{3}"),
    ("\\sqrt[3]{4}", "2^{3/2}"),
    ("\\sqrt[3]{4}", "\\sqrt{4}"),
    ("\\frac{1}{\\sqrt2}", "\\sqrt2"),
    ("\\frac{\\sqrt2}{2}", "\\frac{\\sqrt3}{2}"),
    ("\\sqrt{2}", "2"),
    ("\\sqrt{2}+\\sqrt{3}", "\\sqrt{5}"),
    # pi and e
    ("\\pi", "3.14159265358978"),
    ("\\pi", "\\frac{22}{7}"),
    ("2\\pi", "\\pi"),
    ("\\frac{\\pi}{2}", "2\\pi"),
    ("\\pi^2", "2\\pi"),
    ("e^{2}", "\\exp(3)"),
    ("e^{2}", "2e"),
    ("e", "2.717"),
    # logarithms
    ("\\ln 8", "2\\ln 2"),
    ("\\log 8", "\\log_{10} 8"),
    ("\\log_{2} 8", "8"),
    ("\\log_2 8", "\\log_8 2"),
    ("\\ln 6", "\\ln 2 \\cdot \\ln 3"),
    # trigonometry
    ("1", "\\sin^2 x - \\cos^2 x"),
    ("\\frac12", "\\cos\\frac{\\pi}{6}"),
    ("1", "\\tan\\frac{\\pi}{3}"),
    ("\\sin x", "\\cos x"),
    ("\\sin 2x", "2\\sin x"),
    ("\\sin^2 x", "\\sin x^2"),
    # factorials and binomials
    ("120", "4!"),
    ("120", "5"),
    ("10", "\\binom{5}{3}\\cdot 2"),
    ("\\binom{5}{2}", "\\binom{5}{1}"),
    ("\\frac{n(n-1)}{2}", "\\dbinom{n}{3}"),
    ("\\frac{n(n+1)}{2}", "\\binom{n}{2}"),
    # polynomials: near misses
    ("(x+1)^2", "x^2+x+1"),
    ("(x+1)^2", "x^2+1"),
    ("(x+1)^2", "x^2+2x+2"),
    ("(x+1)^2", "(x-1)^2"),
    ("x^2-1", "(x-1)^2"),
    ("x^2-1", "(x+1)(x+1)"),
    ("(x+1)^3", "x^3+3x^2+3x"),
    ("x^2-5x+6", "(x-2)(x+3)"),
    ("\\frac{x^2-1}{x-1}", "x-1"),
    ("x", "x^2"),
    ("x+1", "x-1"),
    ("x+1", "x"),
    # different variables, case sensitivity
    ("x+1", "y+1"),
    ("2x", "2t"),
    ("2t", "2x"),
    ("x", "X"),
    ("X", "x"),
    ("a", "A"),
    ("ab", "ba+1"),
    ("xy", "x+y"),
    ("\\alpha", "a"),
    # implicit multiplication is not addition or concatenation
    ("2x", "2+x"),
    ("6", "23"),
    ("6", "2\\cdot 4"),
    ("ab(x-y)", "ab(y-x)"),
    ("\\frac{bx(h-x)}{h}", "\\frac{bx}{h}(h+x)"),
    ("\\frac{bx(h-x)}{h}", "\\frac{b(h-x)}{h}"),
    ("3xy", "3x"),
]


@pytest.mark.parametrize(("gold", "answer"), EQUAL)
def test_equivalent(gold: str, answer: str) -> None:
    assert judge(gold, answer) == 1.0


@pytest.mark.parametrize(("gold", "answer"), DIFFERENT)
def test_not_equivalent(gold: str, answer: str) -> None:
    assert judge(gold, answer) == 0.0


@pytest.mark.parametrize(("gold", "answer"), EQUAL[::7])
def test_equivalence_is_symmetric(gold: str, answer: str) -> None:
    assert judge(answer, gold) == 1.0


@pytest.mark.parametrize(
    ("gold", "answer"), [case for case in DIFFERENT[::5] if "." not in "".join(case)]
)
def test_non_equivalence_is_symmetric(gold: str, answer: str) -> None:
    assert judge(answer, gold) == 0.0

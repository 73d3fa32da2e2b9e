"""Scores: sacrebleu's sentence-level metrics scaled to [0, 1], and py3langid's language.

Metric objects and the language identifier are built once per worker process
(``functools.cache``) on first use, not at import: py3langid pulls in numpy and a 4.5 MB
model the forkserver need not carry for other verifiers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier
    from sacrebleu.metrics.base import Metric

MetricName = Literal["chrf++", "chrf", "bleu", "ter"]
BleuTokenize = Literal["auto", "13a", "intl", "zh", "char", "none"]
LABELS = {"chrf++": "chrF++", "chrf": "chrF", "bleu": "BLEU", "ter": "TER"}
_CHARACTER_TOKENIZED = frozenset({"ja", "ko", "th", "lo", "km", "my", "yue", "wuu"})
"""Written without spaces between words: BLEU's 13a tokenizer would see one word a sentence.
Chinese has sacrebleu's own ``zh`` tokenizer; Japanese and Korean would want MeCab (not a
dependency), so these count characters."""


@functools.cache
def metric(name: MetricName, tokenize: str) -> Metric:
    """sacrebleu's metric for sentence scores: chrF++ is chrF with word bigrams (nw 2),
    BLEU has effective order (no zero for a sentence without a 4-gram match), TER tokenizes
    Asian scripts (one token a character) when BLEU would."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    if name == "chrf++":
        return CHRF(word_order=2)
    if name == "chrf":
        return CHRF()
    if name == "bleu":
        return BLEU(tokenize=tokenize, effective_order=True)
    asian = tokenize in ("zh", "char")
    return TER(normalized=asian, asian_support=asian)


def bleu_tokenizer(option: BleuTokenize, language: str | None) -> str:
    """The tokenizer ``auto`` means for the target language: zh, char or 13a."""
    if option != "auto":
        return option
    if language == "zh":
        return "zh"
    return "char" if language in _CHARACTER_TOKENIZED else "13a"


def ter_tokens(tokenize: str, text: str) -> int:
    """How many tokens TER sees in ``text``: its cost grows with them."""
    ter = metric("ter", tokenize)
    return len(ter.tokenizer(text.rstrip()).split())


def quality(name: MetricName, tokenize: str, hypothesis: str, references: list[str]) -> float:
    """The sentence score against every reference at once, in [0, 1]: sacrebleu's
    multi-reference statistics (chrF: the best reference; BLEU: clipped counts over all,
    closest length; TER: fewest edits over the mean reference length); TER as
    max(0, 1 - TER/100)."""
    score = (
        metric(name, tokenize if name in ("bleu", "ter") else "")
        .sentence_score(hypothesis, references)
        .score
    )
    if name == "ter":
        return max(0.0, 1.0 - score / 100.0)
    return min(1.0, max(0.0, score / 100.0))


def chrf(hypothesis: str, references: list[str]) -> float:
    """Plain chrF in [0, 1]: how the source-copy guard compares source and references."""
    return metric("chrf", "").sentence_score(hypothesis, references).score / 100.0


@dataclass(frozen=True, slots=True)
class Identified:
    language: str
    probability: float
    """Of the identified language."""
    target_probability: float
    """Of the target language and its kin together."""


@functools.cache
def _identifier() -> LanguageIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def known_languages() -> frozenset[str]:
    return frozenset(_identifier().labels)


def identify(text: str, target: frozenset[str]) -> Identified:
    """py3langid's best language for ``text``, with calibrated probabilities."""
    ranking = _identifier().rank(text)
    language, probability = ranking[0]
    in_target = sum(p for label, p in ranking if label in target)
    return Identified(language, float(probability), float(in_target))

"""``translation``: how close is the response's translation to the references?

Split: ``truth`` reads the ground truth (references, optional source and target language),
``extraction`` finds the translation (``<translation>`` block or the text after
``</think>``) and normalizes text, ``scoring`` wraps sacrebleu (chrF++, chrF, BLEU, TER)
and py3langid, ``languages`` reads a dataset's language code or name. Reward: the sentence
score in [0, 1], mixed with the format component by ``format_weight``; 0.0 when a guard
fires (wrong language, a copy of the source, far longer than any reference).
"""

from __future__ import annotations

import importlib.util
from typing import Any, Literal

from pydantic import Field

from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions, verifier
from verifiers.translation import scoring
from verifiers.translation.extraction import (
    AnswerFormat,
    FormatProblem,
    extract_translation,
    normalized,
)
from verifiers.translation.languages import kin
from verifiers.translation.truth import Truth, parse_truth

# sacrebleu and py3langid are imported on first use (see scoring); their absence must still
# keep the verifier from loading, so that /readyz lists it unavailable instead of every
# item failing.
_MISSING = [name for name in ("sacrebleu", "py3langid") if importlib.util.find_spec(name) is None]
if _MISSING:
    raise ImportError(
        f"the translation verifier needs {' and '.join(_MISSING)}: install the "
        "'translation' extra (pip install 'reward-server[translation]')"
    )

__all__ = ["COMPONENTS", "TranslationOptions", "verify"]

COMPONENTS = ("format", "quality", "wrong_language", "source_copy", "overlong")
LANGUAGE_MIN_CONFIDENCE = 0.5
"""The identified language must be at least this likely to call the answer wrong..."""
TARGET_MAX_PROBABILITY = 0.1
"""...and the target language (with its kin) at most this likely. Measured on our pairs
(tests/data/translation): correct sentences of 20+ letters give the target 0.77 or more,
English copies of the source give it under 0.001."""
LENGTH_SLACK_CHARS = 20
"""Added to ``max_length_ratio`` times the longest reference: short references vary most."""
MAX_TRANSLATION_CHARS = 30_000
"""Longer translations are overlong whatever ``max_length_ratio`` says (bounds the scoring)."""
MAX_TER_REFERENCE_TOKENS = 25
MAX_TER_TOKENS = 40
"""TER's shift search is super-linear: a scrambled 32-word hypothesis of a 48-word reference's
words took 2.5 s here, a 40-of-60 one 4.4 s; 40 tokens of a 25-token reference stay under
1 s. TER is for short segments (chrF++ has no such limit)."""


class TranslationOptions(VerifierOptions):
    metric: scoring.MetricName = "chrf++"
    """chrf++ (chrF with word bigrams), chrf, bleu (sentence BLEU, effective order) or ter
    (reward max(0, 1 - TER/100))."""
    answer_format: AnswerFormat = "tag_or_think"
    """Where the translation is: tag_or_think (a <translation> block, else the text after
    </think>), tag (a block is required), think (after </think>), plain (the whole text)."""
    format_weight: float = Field(0.0, ge=0, le=1)
    """reward = (1 - format_weight) * quality + format_weight * format (R1-T1's mix)."""
    check_language: bool | None = None
    """Zero a translation identified as another language; default: on when the ground
    truth names target_language."""
    min_language_letters: int = Field(20, ge=1, le=10_000)
    """The language is judged only on translations with at least this many letters:
    py3langid guesses on a word or two ("Hallo" reads as Italian)."""
    check_source_copy: bool = True
    """Zero a translation closer to ground_truth.source than to the references."""
    copy_threshold: float = Field(0.7, ge=0, le=1)
    """chrF against the source from which a translation closer to it is a copy."""
    max_length_ratio: float | None = Field(1.5, ge=1, le=1000)
    """Zero a translation longer than this times the longest reference (+20 characters,
    white space not counted); null: no limit."""
    bleu_tokenize: scoring.BleuTokenize = "auto"
    """BLEU/TER tokenizer; auto: zh for Chinese, char for Japanese, Korean, Thai, ...,
    else 13a."""
    normalization: Literal["NFC", "NFKC"] = "NFC"
    """Unicode form of translation and references (NFKC also folds full-width forms)."""
    max_chars: int = Field(100_000, ge=1, le=10_000_000)
    """Longer responses are a format error, before anything is read."""


def _outcome(
    reward: float,
    detail: str,
    *,
    status: Status = Status.OK,
    format_ok: bool = True,
    quality: float = 0.0,
    wrong_language: bool = False,
    source_copy: bool = False,
    overlong: bool = False,
) -> Outcome:
    components = {
        "format": float(format_ok),
        "quality": quality,
        "wrong_language": float(wrong_language),
        "source_copy": float(source_copy),
        "overlong": float(overlong),
    }
    return Outcome(reward, status, detail=detail, components=components)


@verifier("translation", options=TranslationOptions, components=COMPONENTS)
def verify(response: str, ground_truth: Any, options: TranslationOptions) -> Outcome:
    """Translation reward: sentence chrF++ (or BLEU, TER) against the references, in [0, 1]."""
    truth = parse_truth(ground_truth)
    check_language = _language_check(truth, options)
    tokenize = scoring.bleu_tokenizer(options.bleu_tokenize, truth.language)
    if options.metric == "ter":
        _check_ter_references(truth, tokenize)
    try:
        raw = extract_translation(response, options.answer_format, max_chars=options.max_chars)
        translation = normalized(raw, options.normalization)
        if not translation:
            raise FormatProblem("the translation is empty")
    except FormatProblem as problem:
        detail = f"no translation: {problem}"
        return _outcome(0.0, detail, status=Status.FORMAT_ERROR, format_ok=False)

    references = [normalized(text, options.normalization) for text in truth.references]
    too_long = _too_long(translation, references, options, tokenize)
    if too_long:
        return _outcome(0.0, f"rejected: {too_long}", overlong=True)

    quality = scoring.quality(options.metric, tokenize, translation, references)
    label = f"{scoring.LABELS[options.metric]} {quality * 100:.1f}"
    if options.metric == "ter":  # the detail shows TER itself, lower is better
        label = f"TER {100 - quality * 100:.1f}" if quality > 0 else "TER >= 100"
    plural = "s" if len(references) > 1 else ""
    scored = f"{label} against {len(references)} reference{plural}"

    if check_language and truth.language is not None:
        wrong, verdict = _language_verdict(translation, truth.language, options)
        if wrong:
            return _outcome(0.0, f"{verdict}; {scored}", quality=quality, wrong_language=True)
        scored += f"; {verdict}"
    elif truth.target_language is not None and options.check_language is None:
        shown = truth.target_language[:40]
        scored += f"; language not judged (py3langid does not know {shown!r})"
    if options.check_source_copy and truth.source is not None:
        source = normalized(truth.source, options.normalization)
        to_source = scoring.chrf(translation, [source])
        # the second score only when the first is high: most translations are far from it
        to_references = (
            scoring.chrf(translation, references) if to_source >= options.copy_threshold else 1.0
        )
        if to_source > to_references:
            return _outcome(
                0.0,
                f"rejected: a copy of the source (chrF {to_source * 100:.1f} against it, "
                f"{to_references * 100:.1f} against the references); {scored}",
                quality=quality,
                source_copy=True,
            )

    weight = options.format_weight
    return _outcome((1.0 - weight) * quality + weight, scored, quality=quality)


def _check_ter_references(truth: Truth, tokenize: str) -> None:
    for index, reference in enumerate(truth.references):
        tokens = scoring.ter_tokens(tokenize, reference)
        if tokens > MAX_TER_REFERENCE_TOKENS:
            raise InvalidInput(
                f"ground_truth reference #{index + 1} has {tokens} TER tokens, over the "
                f"{MAX_TER_REFERENCE_TOKENS} metric ter allows (its cost explodes with "
                "length): use chrf++ or bleu"
            )


def _too_long(
    translation: str, references: list[str], options: TranslationOptions, tokenize: str
) -> str | None:
    """Why the translation is too long to be one, or None."""
    length, longest = _length(translation), max(map(_length, references))
    if length > MAX_TRANSLATION_CHARS:
        return f"{length} characters, over {MAX_TRANSLATION_CHARS}"
    ratio = options.max_length_ratio
    if ratio is not None and length > ratio * longest + LENGTH_SLACK_CHARS:
        return (
            f"{length} characters, over {ratio:g}x the longest reference ({longest}) "
            f"+ {LENGTH_SLACK_CHARS}"
        )
    if options.metric == "ter":
        tokens = scoring.ter_tokens(tokenize, translation)
        if tokens > MAX_TER_TOKENS:
            return f"{tokens} TER tokens, over the {MAX_TER_TOKENS} metric ter allows"
    return None


def _language_check(truth: Truth, options: TranslationOptions) -> bool:
    """Whether to judge the language; InvalidInput when asked to without a usable target."""
    if options.check_language is False:
        return False
    if truth.target_language is None:
        if options.check_language:
            raise InvalidInput("options.check_language needs ground_truth.target_language")
        return False
    if truth.language is None:  # every label languages.py gives is one py3langid knows
        if options.check_language:
            shown = truth.target_language[:40]
            raise InvalidInput(
                f"ground_truth.target_language {shown!r} is not a language py3langid "
                "identifies (an ISO 639 code such as 'de', 'deu', 'deu_Latn', or an "
                "English name)"
            )
        return False
    return True


def _language_verdict(
    translation: str, target: str, options: TranslationOptions
) -> tuple[bool, str]:
    """Whether the translation is in another language, and what was found."""
    letters = sum(character.isalpha() for character in translation)
    if letters < options.min_language_letters:
        return False, f"language not judged ({letters} letters < {options.min_language_letters})"
    accepted = kin(target)
    found = scoring.identify(translation, accepted)
    if (
        found.language not in accepted
        and found.language != "zxx"
        and found.probability >= LANGUAGE_MIN_CONFIDENCE
        and found.target_probability <= TARGET_MAX_PROBABILITY
    ):
        return True, (
            f"rejected: reads as {found.language} (p {found.probability:.2f}), "
            f"not {target} (p {found.target_probability:.2f})"
        )
    return False, f"language {target} (p {found.target_probability:.2f})"


def _length(text: str) -> int:
    return len(text) - text.count(" ")

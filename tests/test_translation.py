"""translation: sacrebleu sentence scores, the answer format, and the guards a policy would
probe (wrong language, source copy, pasted references, hedges, size, Unicode tricks)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from sacrebleu.metrics import BLEU, CHRF, TER

import reward_server
from verifiers.base import InvalidInput, Outcome, Status
from verifiers.translation import COMPONENTS, scoring, verify
from verifiers.translation.languages import LABELS, kin, language_label

DATA = Path(__file__).parent / "data" / "translation"
PAIRS = [json.loads(line) for line in (DATA / "pairs.jsonl").read_text().splitlines()]
KNOWN = [json.loads(line) for line in (DATA / "sacrebleu_known.jsonl").read_text().splitlines()]
IDS = [pair["id"] for pair in PAIRS]
BY_ID = {pair["id"]: pair for pair in PAIRS}
DE = BY_ID["s1-de"]  # "The museum will be closed on Monday because of the public holiday."
REF = DE["references"][0]


def truth(pair: dict, **overrides: object) -> dict:
    fields = {
        "references": pair["references"],
        "source": pair["source"],
        "target_language": pair["target_language"],
    }
    return {**fields, **overrides}


def tagged(text: str) -> str:
    return f"<think>English source; keep the register.</think>\n<translation>{text}</translation>"


def judge(response: str, ground_truth: object, **options: object) -> Outcome:
    outcome = verify(response, ground_truth, options)
    assert tuple(outcome.components) == COMPONENTS
    assert 0.0 <= outcome.reward <= 1.0
    assert len(outcome.detail or "") <= 300
    return outcome


# -- the numbers are sacrebleu's ------------------------------------------------------


@pytest.mark.parametrize("case", KNOWN, ids=[case["id"] for case in KNOWN])
def test_published_sacrebleu_scores_are_reproduced(case: dict) -> None:
    outcome = judge(
        case["hypothesis"], case["references"], metric=case["metric"], answer_format="plain"
    )
    assert outcome.reward == pytest.approx(case["score"] / 100, abs=1e-5)
    assert outcome.components["quality"] == outcome.reward


@pytest.mark.parametrize("pair_id", IDS)
def test_the_reference_itself_earns_one(pair_id: str) -> None:
    pair = BY_ID[pair_id]
    outcome = judge(tagged(pair["references"][0]), truth(pair))
    assert (outcome.reward, outcome.status) == (1.0, Status.OK)
    assert outcome.components == {
        "format": 1.0,
        "quality": 1.0,
        "wrong_language": 0.0,
        "source_copy": 0.0,
        "overlong": 0.0,
    }
    assert outcome.detail.startswith("chrF++ 100.0 against 1 reference; language ")


@pytest.mark.parametrize("pair_id", IDS)
def test_a_correct_paraphrase_gets_its_chrf_plus_plus_and_passes_every_guard(pair_id: str) -> None:
    pair = BY_ID[pair_id]
    outcome = judge(tagged(pair["paraphrase"]), truth(pair))
    expected = CHRF(word_order=2).sentence_score(pair["paraphrase"], pair["references"]).score
    assert outcome.reward == pytest.approx(expected / 100)
    assert 0.05 < outcome.reward < 1.0
    assert outcome.components["wrong_language"] == outcome.components["source_copy"] == 0.0
    assert outcome.components["overlong"] == 0.0


@pytest.mark.parametrize("metric", ["chrf++", "chrf", "bleu", "ter"])
def test_every_metric_gives_one_for_the_reference_and_less_for_a_paraphrase(metric: str) -> None:
    for pair in PAIRS:
        exact = judge(tagged(pair["references"][0]), truth(pair), metric=metric)
        assert exact.reward == 1.0, (pair["id"], exact.detail)
        assert judge(tagged(pair["paraphrase"]), truth(pair), metric=metric).reward < 1.0


def test_bleu_and_ter_match_sacrebleu_with_the_tokenizer_of_the_target_language() -> None:
    zh = BY_ID["s3-zh"]
    bleu = judge(tagged(zh["paraphrase"]), truth(zh), metric="bleu").reward
    expected = BLEU(tokenize="zh", effective_order=True).sentence_score(
        zh["paraphrase"], zh["references"]
    )
    assert bleu == pytest.approx(expected.score / 100)
    de = BY_ID["s3-de"]
    ter = TER().sentence_score(de["paraphrase"], de["references"]).score
    outcome = judge(tagged(de["paraphrase"]), truth(de), metric="ter")
    assert outcome.reward == pytest.approx(max(0.0, 1 - ter / 100))
    assert outcome.detail.startswith(f"TER {ter:.1f} against 1 reference")


def test_ter_over_100_is_zero_not_negative() -> None:
    hypothesis = tagged("ein zwei drei vier fünf sechs sieben")
    outcome = judge(hypothesis, ["Hallo"], metric="ter", max_length_ratio=None)
    assert TER().sentence_score("ein zwei drei vier fünf sechs sieben", ["Hallo"]).score > 100
    assert outcome.reward == 0.0 and outcome.status is Status.OK
    assert outcome.detail.startswith("TER >= 100 against 1 reference")


def test_several_references_count_as_one_multi_reference_score() -> None:
    references = [DE["paraphrase"], REF]
    assert judge(tagged(REF), {"references": references}).reward == 1.0
    assert judge(tagged(DE["paraphrase"]), {"references": references}).reward == 1.0
    candidate = "Am Montag bleibt das Museum zu, weil Feiertag ist."
    alone = judge(tagged(candidate), [REF]).reward
    both = judge(tagged(candidate), references).reward
    expected = CHRF(word_order=2).sentence_score(candidate, references).score / 100
    assert both == pytest.approx(expected) and both >= alone


def test_format_weight_mixes_in_the_format_component() -> None:
    plain = judge(tagged(DE["paraphrase"]), truth(DE))
    mixed = judge(tagged(DE["paraphrase"]), truth(DE), format_weight=0.2)
    assert mixed.reward == pytest.approx(0.8 * plain.reward + 0.2)
    assert mixed.components == plain.components


# -- where the translation is ---------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "answer_format", "read"),
    [
        (f"<think>draft</think>\n<translation>{REF}</translation>", "tag_or_think", True),
        (f"<think>draft</think>\n<translation>{REF}</translation>", "tag", True),
        (f"<translation>{REF}</translation>", "tag", True),
        (f"<translation>{REF}</translation>", "tag_or_think", True),
        (f"<translation>{REF}</translation>", "think", False),
        (f"<translation>{REF}</translation>", "plain", True),
        (f"<think>draft</think><translation>{REF}</translation>Bye", "think", True),
        (f"<think>draft</think>\n{REF}", "tag_or_think", True),
        (f"<think>draft</think>\n{REF}", "think", True),
        (f"<think>draft</think>\n{REF}", "tag", False),
        (REF, "plain", True),
        (REF, "tag_or_think", False),
        (REF, "think", False),
        (REF, "tag", False),
        (f"Sure! Here it is: <TRANSLATION>{REF}</Translation> Hope it helps.", "tag", True),
        (f"<translation>{REF}</translation><|im_end|><|endoftext|>", "tag", True),
        (f"<translation>{REF}</translation>\n<translation> {REF}</translation>", "tag", True),
        (f"<think>unclosed {REF}", "plain", False),
        (f"<think><translation>{REF}</translation></think> Das ist es.", "tag", False),
        (f"<translation>{REF}", "tag", False),
        ("<translation> </translation>", "tag", False),
        ("<translation>\u200b\ufeff</translation>", "tag", False),
        ("", "plain", False),
        ("<think>a</think>   ", "think", False),
    ],
)
def test_extraction_rules(response: str, answer_format: str, read: bool) -> None:
    outcome = judge(response, [REF], answer_format=answer_format)
    if read:
        assert (outcome.reward, outcome.status) == (1.0, Status.OK), outcome.detail
    else:
        assert (outcome.reward, outcome.status) == (0.0, Status.FORMAT_ERROR), outcome.detail
        assert outcome.components == dict.fromkeys(COMPONENTS, 0.0)
        assert outcome.detail.startswith("no translation: ")


def test_format_error_details_say_what_is_missing() -> None:
    assert judge(REF, [REF]).detail == (
        "no translation: no <translation> block and no </think> before the translation"
    )
    assert "never closed" in judge(f"<think>{REF}", [REF]).detail
    assert (
        judge("<translation>  </translation>", [REF]).detail
        == "no translation: the translation is empty"
    )


# -- what a policy would try ----------------------------------------------------------


def test_the_source_copied_is_zero() -> None:
    for pair in PAIRS:
        outcome = judge(tagged(pair["source"]), truth(pair))
        assert outcome.reward == 0.0
        guards = ("wrong_language", "overlong")  # English is longer than a Chinese reference
        assert max(outcome.components[guard] for guard in guards) == 1.0, pair["id"]
        unchecked = judge(
            tagged(pair["source"]), truth(pair), check_language=False, max_length_ratio=None
        )
        assert unchecked.reward == 0.0, pair["id"]
        assert unchecked.components["source_copy"] == 1.0
        assert unchecked.detail.startswith("rejected: a copy of the source (chrF 100.0 against it")


def test_a_source_copy_is_caught_without_a_target_language_and_near_identical() -> None:
    near = DE["source"].replace("Monday", "Montag").replace("museum", "Museum")
    outcome = judge(tagged(near), {"references": DE["references"], "source": DE["source"]})
    assert outcome.reward == 0.0 and outcome.components["source_copy"] == 1.0
    assert outcome.components["quality"] > 0.1  # what it would have earned
    off = judge(
        tagged(near),
        {"references": DE["references"], "source": DE["source"]},
        check_source_copy=False,
    )
    assert off.reward == off.components["quality"] > 0.1


def test_a_reference_that_resembles_the_source_is_no_copy() -> None:
    source = "Angela Merkel met Emmanuel Macron in Paris on 14 July 2019."
    reference = "Angela Merkel traf Emmanuel Macron am 14. Juli 2019 in Paris."
    outcome = judge(
        tagged(reference), {"references": [reference], "source": source, "target_language": "de"}
    )
    assert outcome.reward == 1.0


@pytest.mark.parametrize("wrong", ["fr", "es", "ru", "zh"])
def test_a_good_translation_into_another_language_is_zero(wrong: str) -> None:
    for number in range(1, 7):
        german, other = BY_ID[f"s{number}-de"], BY_ID[f"s{number}-{wrong}"]
        outcome = judge(tagged(other["references"][0]), truth(german))
        if wrong == "zh":  # under 20 letters: not judged, and chrF sees no overlap anyway
            assert "language not judged" in outcome.detail and outcome.reward < 0.05
            continue
        assert outcome.reward == 0.0, outcome.detail
        assert outcome.components["wrong_language"] == 1.0
        assert outcome.detail.startswith(f"rejected: reads as {wrong} ")


@pytest.mark.parametrize(
    "target", ["de", "DE", "de-DE", "de_AT", "deu", "ger", "deu_Latn", "German", "german (Germany)"]
)
def test_target_language_spellings(target: str) -> None:
    assert language_label(target) == "de"
    outcome = judge(tagged(DE["source"]), truth(DE, target_language=target))
    assert outcome.components["wrong_language"] == 1.0


@pytest.mark.parametrize(
    ("answer", "target"),
    [
        ("Hallo", "de"),
        ("Danke", "de"),
        ("Merci", "fr"),
        ("Hola", "es"),
        ("Ciao", "it"),
        ("Да", "ru"),
        ("Vengo domani.", "it"),
        ("Katten sover.", "sv"),
        ("東京大学", "ja"),
        ("Dank je", "nl"),
    ],
)
def test_a_short_correct_answer_is_not_zeroed_by_the_language_guess(
    answer: str, target: str
) -> None:
    guess = scoring.identify(answer, kin(target))
    assert guess.language not in kin(target)  # py3langid's best guess is another language
    outcome = judge(tagged(answer), {"references": [answer], "target_language": target})
    assert outcome.reward == 1.0, outcome.detail
    assert "language not judged" in outcome.detail
    # below the letter threshold too, the guess is too unsure (p < 0.5) to zero anything
    unguarded = {"references": [answer], "target_language": target}
    assert judge(tagged(answer), unguarded, min_language_letters=1).reward == 1.0


def test_every_language_we_read_is_one_py3langid_identifies() -> None:
    labels = {language_label(name) for name in ("en", "deu", "Chinese", "nob", "Cantonese")}
    assert labels == {"en", "de", "zh", "no", "yue"}
    assert scoring.known_languages() >= LABELS


def test_close_kin_are_not_called_wrong() -> None:
    norwegian = "Jeg har det godt i dag, takk for at du spør om det."
    outcome = judge(tagged(norwegian), {"references": [norwegian], "target_language": "nob_Latn"})
    assert outcome.reward == 1.0


ENTITY_HEAVY = [
    ("de", "Das neue iPhone 15 Pro Max von Apple kommt im September auf den Markt."),
    ("de", "Microsoft Teams, Google Meet und Zoom sind beliebte Tools für Videokonferenzen."),
    ("de", "Die Band Pink Floyd veröffentlichte 1973 das Album The Dark Side of the Moon."),
    ("fr", "Le New York Times a publié un article sur la Silicon Valley."),
    ("es", "El Real Madrid ganó la Champions League contra el Liverpool FC."),
    ("ru", "Компания Google представила новую версию Android на конференции Google I/O."),
    ("pt-BR", "O Brasil é o maior país da América do Sul em território e população."),
    ("nb", "Oslo er hovedstaden i Norge og den største byen i landet."),
    ("sr", "Београд је главни град Србије и налази се на ушћу Саве у Дунав."),  # noqa: RUF001
    ("ko", "서울은 대한민국의 수도이며 인구가 가장 많은 도시입니다."),
    ("ar", "تقع القاهرة على ضفاف نهر النيل وهي عاصمة مصر."),
    ("hi", "दिल्ली भारत की राजधानी है और यह एक बहुत बड़ा शहर है।"),
]


@pytest.mark.parametrize(("target", "text"), ENTITY_HEAVY)
def test_correct_translations_full_of_english_names_keep_their_reward(
    target: str, text: str
) -> None:
    outcome = judge(tagged(text), {"references": [text], "target_language": target})
    assert outcome.reward == 1.0, outcome.detail
    assert "; language " in outcome.detail  # judged, and found right


def test_the_reference_pasted_several_times_is_zero() -> None:
    for times in (2, 3, 10):
        outcome = judge(tagged(" ".join([REF] * times)), truth(DE))
        assert outcome.reward == 0.0 and outcome.components["overlong"] == 1.0
        assert (
            outcome.detail.startswith("rejected: ")
            and "over 1.5x the longest reference (52)" in outcome.detail
        )
    listed = " ".join([REF, DE["paraphrase"]] * 2)
    outcome = judge(tagged(listed), truth(DE, references=[REF, DE["paraphrase"]]))
    assert outcome.reward == 0.0 and outcome.components["overlong"] == 1.0
    # without the length guard chrF's own precision still keeps it under the reference
    assert judge(tagged(f"{REF} {REF}"), truth(DE), max_length_ratio=None).reward < 0.9


def test_a_hedge_does_not_beat_the_right_translation_alone() -> None:
    for pair in PAIRS:
        right = judge(tagged(pair["references"][0]), truth(pair)).reward
        hedge = f"{pair['references'][0]} / {pair['paraphrase']}"
        assert judge(tagged(hedge), truth(pair)).reward < right
        assert judge(tagged(hedge), truth(pair), max_length_ratio=None).reward < right
        first, second = pair["references"][0], pair["paraphrase"]
        two_blocks = f"<translation>{first}</translation> or <translation>{second}</translation>"
        outcome = judge(two_blocks, truth(pair))
        assert outcome.status is Status.FORMAT_ERROR and "a hedge" in outcome.detail


def test_a_translation_outside_the_tags_does_not_count() -> None:
    response = f"<think>ok</think>{REF}\n<translation>asdf qwer zxcv</translation>"
    outcome = judge(response, truth(DE))
    assert outcome.reward < 0.1
    assert (
        judge(f"<think>ok</think>{REF}\n<translation>{REF}</translation>", truth(DE)).reward == 1.0
    )


@pytest.mark.parametrize(
    "cheap",
    [
        "a",
        ".",
        "?",
        "0",
        "Deutsch",
        "German",
        "Translation:",
        "<translation>",
        "...",
        "\u2014",
        "null",
        "1 2 3 4 5",
        "the",
        "der die das",
        "ok",
    ],
)
def test_cheap_outputs_earn_next_to_nothing(cheap: str) -> None:
    for pair in PAIRS:
        outcome = judge(tagged(cheap), truth(pair))
        assert outcome.reward < 0.12, (pair["id"], cheap, outcome.detail)


def test_huge_output_is_refused_before_reading() -> None:
    response = tagged(REF) + "x" * 100_001
    outcome = judge(response, truth(DE))
    assert outcome.status is Status.FORMAT_ERROR
    assert (
        outcome.detail
        == f"no translation: response of {len(response)} characters, over max_chars 100000"
    )
    assert judge(tagged(REF), truth(DE), max_chars=20).status is Status.FORMAT_ERROR


def test_a_translation_over_the_hard_cap_is_overlong_even_without_a_ratio() -> None:
    long_reference = "Wort " * 5_000
    outcome = judge(tagged("x" * 30_500), [long_reference], max_length_ratio=None)
    assert outcome.components["overlong"] == 1.0 and outcome.reward == 0.0
    assert outcome.detail == "rejected: 30500 characters, over 30000"


def test_ter_is_bounded_to_short_segments() -> None:
    long_reference = " ".join(f"w{number}" for number in range(26))
    with pytest.raises(InvalidInput, match="reference #1 has 26 TER tokens, over the 25"):
        verify(tagged("w1"), [long_reference], {"metric": "ter"})
    reference = " ".join(REF.split()[:9])
    words = reference.split()
    scrambled = " ".join(words[(7 * number) % len(words)] for number in range(41))
    outcome = judge(tagged(scrambled), [reference], metric="ter", max_length_ratio=None)
    assert outcome.detail == "rejected: 41 TER tokens, over the 40 metric ter allows"
    # Chinese is one TER token a character (sacrebleu's asian_support)
    zh = BY_ID["s3-zh"]
    assert judge(tagged(zh["references"][0]), truth(zh), metric="ter").reward == 1.0
    assert 0 < judge(tagged(zh["paraphrase"]), truth(zh), metric="ter").reward < 1


def test_ter_worst_case_at_its_limits_stays_inside_the_deadline() -> None:
    words = " ".join(pair["references"][0] for pair in PAIRS if pair["target_language"] == "de")
    reference = " ".join(words.split()[:25])
    scrambled = " ".join(reference.split()[(11 * n) % 25] for n in range(40))
    started = time.monotonic()
    judge(tagged(scrambled), [reference], metric="ter", max_length_ratio=None)
    assert time.monotonic() - started < 5  # measured about 1 s; the deadline is 10 s


def test_pathological_tags_are_read_in_linear_time() -> None:
    started = time.monotonic()
    for response in ("<translation>" * 200_000, "<think>" * 200_000 + "</think>" + "<" * 1_000_000):
        assert judge(response, [REF], max_chars=2_000_000).status is Status.FORMAT_ERROR
    assert time.monotonic() - started < 5  # quadratic would take minutes


def test_unicode_normalization_variants_score_as_the_text_they_show() -> None:
    decomposed = unicodedata.normalize(
        "NFD", "Ärzte empfehlen, ausreichend Wasser zu trinken, besonders bei heißem Wetter."
    )
    pair = BY_ID["s6-de"]
    assert decomposed != pair["references"][0]
    assert judge(tagged(decomposed), truth(pair)).reward == 1.0
    nfd_truth = truth(pair, references=[decomposed])
    assert judge(tagged(pair["references"][0]), nfd_truth).reward == 1.0
    invisible = "\u200b".join(pair["references"][0]) + "\ufeff\u00ad"
    assert judge(tagged(invisible), truth(pair)).reward == 1.0
    spaced = pair["references"][0].replace(" ", " \n\t ")
    assert judge(tagged(spaced), truth(pair)).reward == 1.0
    homoglyphs = pair["references"][0].replace("e", "\u0435")  # Cyrillic e
    assert judge(tagged(homoglyphs), truth(pair)).reward < 0.8


def test_nfkc_folds_full_width_forms_only_when_asked() -> None:
    reference = "ABC-123 wurde am Montag ausgeliefert."
    wide = "\uff21\uff22\uff23\uff0d\uff11\uff12\uff13 wurde am Montag ausgeliefert."
    assert judge(tagged(wide), [reference]).reward < 1.0
    assert judge(tagged(wide), [reference], normalization="NFKC").reward == 1.0


def test_a_guard_zeroes_the_format_credit_too() -> None:
    outcome = judge(tagged(BY_ID["s1-fr"]["references"][0]), truth(DE), format_weight=0.5)
    assert outcome.reward == 0.0 and outcome.components["format"] == 1.0
    garbage = judge(tagged("xq"), truth(DE), format_weight=0.1)
    assert garbage.reward == pytest.approx(0.1 + 0.9 * garbage.components["quality"])


# -- the caller's mistakes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("ground_truth", "message"),
    [
        (None, "ground_truth must be a string or a non-empty list of strings, got NoneType"),
        (42, "got int"),
        ([], "got list"),
        (["ok", 3], r"ground_truth\[1\] must be a string, got int"),
        (["ok", "  "], r"ground_truth\[1\] is empty"),
        ({"source": "x"}, "needs exactly one of 'references' and 'reference'"),
        ({"reference": "a", "references": ["b"]}, "exactly one of"),
        ({"reference": "a", "lang": "de"}, "unknown field.*'lang'.*known: references, reference"),
        (
            {"reference": "a", "source": ""},
            "ground_truth.source must be a non-empty string or null",
        ),
        ({"reference": "a", "target_language": 7}, "target_language must be a non-empty string"),
        ({"reference": "a", "target_language": "x" * 65}, "must be a language code or name"),
        ({"references": ["a"] * 65}, "65 references, over 64"),
        (
            {"references": ["a" * 150_000, "b" * 60_000]},
            "210000 characters of references and source",
        ),
    ],
)
def test_unusable_ground_truth_is_invalid_input(ground_truth: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        verify(tagged("a"), ground_truth)


@pytest.mark.parametrize(
    ("ground_truth", "options", "message"),
    [
        ([REF], {"metric": "comet"}, "metric: Input should be"),
        ([REF], {"format_weight": 1.5}, "format_weight: Input should be less than or equal to 1"),
        ([REF], {"chek_language": True}, "chek_language: Extra inputs are not permitted"),
        (
            [REF],
            {"check_language": True},
            "options.check_language needs ground_truth.target_language",
        ),
        (
            {"reference": REF, "target_language": "Klingon"},
            {"check_language": True},
            "target_language 'Klingon' is not a language py3langid identifies",
        ),
    ],
)
def test_bad_options_are_invalid_input(ground_truth: object, options: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        verify(tagged(REF), ground_truth, options)


def test_an_unknown_target_language_skips_the_guard_by_default() -> None:
    outcome = judge(tagged(DE["source"]), {"reference": REF, "target_language": "Klingon"})
    assert outcome.status is Status.OK and outcome.components["wrong_language"] == 0.0
    assert outcome.detail.endswith("; language not judged (py3langid does not know 'Klingon')")


def test_declared_metadata() -> None:
    assert verify.name == "translation"
    assert verify.components == COMPONENTS
    assert verify.timeout_s is None  # the server's 10 s: py3langid's model loads in ~3 s
    assert verify.description.startswith("Translation reward: sentence chrF++")


def test_metric_objects_are_built_once_per_process() -> None:
    judge(tagged(REF), truth(DE), metric="bleu")
    before = scoring.metric.cache_info()
    for pair in PAIRS:
        judge(tagged(pair["paraphrase"]), truth(pair), metric="bleu")
    after = scoring.metric.cache_info()
    assert after.hits - before.hits >= len(PAIRS)
    assert after.misses - before.misses <= 2  # at most the zh and char tokenizers are new


# -- through the engine ---------------------------------------------------------------


def test_a_batch_through_the_engine_scores_as_verify_does() -> None:
    items = [
        {
            "verifier": "translation",
            "response": tagged(pair[key] if key == "paraphrase" else pair["source"]),
            "ground_truth": truth(pair),
        }
        for pair in PAIRS[:10]
        for key in ("paraphrase", "source")
    ]
    items += [
        {"data_source": "wmt19", "response": tagged(REF), "ground_truth": truth(DE)},
        {"verifier": "translation", "response": REF, "ground_truth": truth(DE)},
        {"verifier": "translation", "response": REF, "ground_truth": {"refs": [REF]}},
        {
            "verifier": "translation",
            "response": REF,
            "ground_truth": [REF],
            "options": {"metric": "x"},
        },
    ]
    results = reward_server.score(items)
    for result, sent in zip(results[:20], items[:20], strict=True):
        direct = verify(sent["response"], sent["ground_truth"])
        assert (result.reward, result.status.value, result.detail) == (
            direct.reward,
            direct.status.value,
            direct.detail,
        )
        assert result.components == dict(direct.components)
    assert [r.reward for r in results[1:20:2]] == [0.0] * 10  # the source copies
    assert (results[20].verifier, results[20].reward) == ("translation", 1.0)
    assert [r.status.value for r in results[21:]] == [
        "format_error",
        "invalid_input",
        "invalid_input",
    ]


def test_random_responses_never_raise_and_stay_in_range() -> None:
    rng = random.Random(20251202)
    pieces = [
        "<think>", "</think>", "<translation>", "</translation>", "<TRANSLATION>", "<|im_end|>",
        "</s>", "\u200b", "\ufeff", "e\u0301", " ", "\n", "Museum", "Montag", "geschlossen",
        "Feiertag", "the museum", "博物馆", "Музей", "!", "<", ">", "/", REF,
    ]  # fmt: skip
    metrics = ["chrf++", "chrf", "bleu", "ter"]
    for _ in range(400):
        response = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        answer_format = rng.choice(["tag_or_think", "tag", "think", "plain"])
        outcome = judge(
            response, truth(DE), answer_format=answer_format, metric=rng.choice(metrics)
        )
        assert outcome.status in (Status.OK, Status.FORMAT_ERROR)
        if outcome.status is Status.FORMAT_ERROR:
            assert outcome.reward == 0.0


def test_without_its_extra_the_verifier_is_unavailable_not_broken() -> None:
    """Its libraries load on first use; their absence still keeps it out of the registry,
    with the reason /readyz shows, while the other verifiers load."""
    script = (
        "import sys; sys.modules['sacrebleu'] = None\n"
        "from verifiers.registry import Registry\n"
        "registry = Registry.from_entry_points()\n"
        "print('translation' in registry, 'math' in registry)\n"
        "print(registry.load_errors['translation'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    loaded, error = done.stdout.splitlines()[:2]
    assert loaded == "False True"
    assert "install the 'translation' extra" in error

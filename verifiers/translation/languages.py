"""Target languages: the code or name a dataset gives, read as a py3langid label.

py3langid (a fork of Lui and Baldwin's langid.py, 2012) labels text with ISO 639-1 codes
where one exists (``de``, ``zh``) and ISO 639-3 otherwise (``yue``, ``ace``). Datasets spell
the target as ``de``, ``de-DE``, ``deu``, ``ger``, FLORES' ``deu_Latn`` or ``German``; all of
those read as ``de`` here. Close kin (:data:`KIN`) count as the target language: the
identifier confuses them on a sentence, and a false zero on a correct translation is worse
than letting a Danish answer pass for Norwegian (chrF against the references still sees it).
"""

from __future__ import annotations

import re

# label: (ISO 639-3 and 639-2/B codes, English names), for py3langid's labels.
_TABLE: dict[str, tuple[str, str]] = {
    "af": ("afr", "afrikaans"),
    "am": ("amh", "amharic"),
    "ar": ("ara arb", "arabic"),
    "as": ("asm", "assamese"),
    "az": ("aze azj azb", "azerbaijani"),
    "be": ("bel", "belarusian"),
    "bg": ("bul", "bulgarian"),
    "bn": ("ben", "bengali bangla"),
    "br": ("bre", "breton"),
    "bs": ("bos", "bosnian"),
    "ca": ("cat", "catalan"),
    "cs": ("ces cze", "czech"),
    "cy": ("cym wel", "welsh"),
    "da": ("dan", "danish"),
    "de": ("deu ger", "german"),
    "el": ("ell gre", "greek"),
    "en": ("eng", "english"),
    "eo": ("epo", "esperanto"),
    "es": ("spa", "spanish castilian"),
    "et": ("est ekk", "estonian"),
    "eu": ("eus baq", "basque"),
    "fa": ("fas per pes", "persian farsi"),
    "fi": ("fin", "finnish"),
    "fr": ("fra fre", "french"),
    "fy": ("fry", "frisian"),
    "ga": ("gle", "irish"),
    "gd": ("gla", "gaelic"),
    "gl": ("glg", "galician"),
    "gu": ("guj", "gujarati"),
    "ha": ("hau", "hausa"),
    "he": ("heb", "hebrew"),
    "hi": ("hin", "hindi"),
    "hr": ("hrv", "croatian"),
    "ht": ("hat", "haitian"),
    "hu": ("hun", "hungarian"),
    "hy": ("hye arm", "armenian"),
    "id": ("ind", "indonesian"),
    "ig": ("ibo", "igbo"),
    "is": ("isl ice", "icelandic"),
    "it": ("ita", "italian"),
    "ja": ("jpn", "japanese"),
    "jv": ("jav", "javanese"),
    "ka": ("kat geo", "georgian"),
    "kk": ("kaz", "kazakh"),
    "km": ("khm", "khmer"),
    "kn": ("kan", "kannada"),
    "ko": ("kor", "korean"),
    "ku": ("kur kmr", "kurdish"),
    "ky": ("kir", "kyrgyz kirghiz"),
    "la": ("lat", "latin"),
    "lg": ("lug", "ganda luganda"),
    "ln": ("lin", "lingala"),
    "lo": ("lao", "lao"),
    "lt": ("lit", "lithuanian"),
    "lv": ("lav lvs", "latvian"),
    "mg": ("mlg plt", "malagasy"),
    "mk": ("mkd mac", "macedonian"),
    "ml": ("mal", "malayalam"),
    "mn": ("mon khk", "mongolian"),
    "mr": ("mar", "marathi"),
    "ms": ("msa may zsm", "malay"),
    "my": ("mya bur", "burmese"),
    "ne": ("nep npi", "nepali"),
    "nl": ("nld dut", "dutch flemish"),
    "no": ("nor nob nb", "norwegian bokmal bokmål"),
    "nn": ("nno", "nynorsk"),
    "om": ("orm gaz", "oromo"),
    "or": ("ori ory", "odia oriya"),
    "pa": ("pan", "punjabi panjabi"),
    "pl": ("pol", "polish"),
    "ps": ("pus pbt", "pashto"),
    "pt": ("por", "portuguese"),
    "qu": ("que quy", "quechua"),
    "ro": ("ron rum", "romanian"),
    "ru": ("rus", "russian"),
    "sa": ("san", "sanskrit"),
    "si": ("sin", "sinhala sinhalese"),
    "sk": ("slk slo", "slovak"),
    "sl": ("slv", "slovenian slovene"),
    "so": ("som", "somali"),
    "sq": ("sqi alb als", "albanian"),
    "sr": ("srp", "serbian"),
    "sv": ("swe", "swedish"),
    "sw": ("swa swh", "swahili"),
    "ta": ("tam", "tamil"),
    "te": ("tel", "telugu"),
    "th": ("tha", "thai"),
    "tl": ("tgl fil", "tagalog filipino"),
    "tr": ("tur", "turkish"),
    "ug": ("uig", "uyghur uighur"),
    "uk": ("ukr", "ukrainian"),
    "ur": ("urd", "urdu"),
    "uz": ("uzb uzn", "uzbek"),
    "vi": ("vie", "vietnamese"),
    "xh": ("xho", "xhosa"),
    "yo": ("yor", "yoruba"),
    "zh": ("zho chi cmn", "chinese mandarin"),
    "zu": ("zul", "zulu"),
    "yue": ("yue", "cantonese"),
    "lb": ("ltz", "luxembourgish"),
    "mt": ("mlt", "maltese"),
    "oc": ("oci", "occitan"),
    "tg": ("tgk", "tajik"),
    "tk": ("tuk", "turkmen"),
    "tt": ("tat", "tatar"),
    "fo": ("fao", "faroese"),
    "rw": ("kin", "kinyarwanda"),
    "sn": ("sna", "shona"),
    "st": ("sot", "sesotho"),
    "se": ("sme", "sami"),
    "ba": ("bak", "bashkir"),
}


def _aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for label, (codes, names) in _TABLE.items():
        for alias in (label, *codes.split(), *names.split()):
            aliases.setdefault(alias, label)
    return aliases


_ALIASES = _aliases()

LABELS = frozenset(_TABLE)
"""Every label :func:`language_label` gives."""

KIN: tuple[frozenset[str], ...] = (
    frozenset({"zh", "yue", "wuu"}),
    frozenset({"no", "nn", "da"}),
    frozenset({"bs", "hr", "sr"}),
    frozenset({"id", "ms", "jv"}),
    frozenset({"cs", "sk"}),
    frozenset({"es", "gl", "pt"}),
    frozenset({"ca", "oc"}),
    frozenset({"uz", "uzs"}),
    frozenset({"ar", "ary", "arz"}),
    frozenset({"de", "lb"}),
    frozenset({"fa", "tg"}),
)
"""Languages the identifier confuses on a sentence; each counts as the others."""

_SEPARATOR = re.compile(r"[-_\s]")


def language_label(target: str) -> str | None:
    """The py3langid label of a dataset's target language, or None when it has none.

    The first part of a tag counts (``pt-BR``, ``zho_Hans``, ``en_US``), then the whole
    text as a name (``Norwegian Bokmål``, ``Chinese (Simplified)``)."""
    text = target.strip().casefold()
    first = _SEPARATOR.split(text, maxsplit=1)[0] if text else ""
    if first in _ALIASES:
        return _ALIASES[first]
    name = text.split("(", 1)[0].strip()
    return _ALIASES.get(name) or _ALIASES.get(name.rsplit(" ", 1)[-1]) if name else None


def kin(label: str) -> frozenset[str]:
    """``label`` and the languages the identifier confuses it with."""
    found = {label}
    for group in KIN:
        if label in group:
            found |= group
    return frozenset(found)

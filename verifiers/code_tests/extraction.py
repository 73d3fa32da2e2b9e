"""The program in a response: its last fenced code block in a language we run.

Reasoning before ``</think>`` is ignored. Tags name the language (```python, ```cpp and
their common spellings); an untagged block counts as the default language. With
``extract="fenced_or_whole"`` a response with no fence at all is taken as the program.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from verifiers.text import after_thinking, fenced_blocks, without_end_tokens

Language = Literal["python", "cpp"]
LANGUAGES: tuple[Language, ...] = ("python", "cpp")
TAGS: dict[str, Language] = {
    "python": "python", "py": "python", "python3": "python", "py3": "python",
    "cpp": "cpp", "c++": "cpp", "cc": "cpp", "cxx": "cpp",
}  # fmt: skip


class FormatProblem(ValueError):
    """The response holds no program we can run; the message says why."""


@dataclass(frozen=True, slots=True)
class Program:
    language: Language
    code: str


def extract_program(
    response: str,
    *,
    allowed: tuple[Language, ...],
    default: Language,
    whole: bool,
    max_chars: int,
    max_code_bytes: int,
) -> Program:
    if len(response) > max_chars:
        raise FormatProblem(f"response longer than {max_chars} characters")
    answer = without_end_tokens(after_thinking(response))
    blocks = fenced_blocks(answer)
    tagged = [(TAGS[tag], body) for tag, body in blocks if TAGS.get(tag) in allowed]
    untagged = [(default, body) for tag, body in blocks if not tag]
    if tagged or untagged:
        language, code = (tagged or untagged)[-1]
    elif blocks:
        tags = sorted({tag for tag, _ in blocks})
        raise FormatProblem(
            f"no code block in {' or '.join(allowed)} (blocks tagged {', '.join(tags)})"
        )
    elif whole and "```" not in answer and answer.strip():
        language, code = default, answer
    else:
        raise FormatProblem("no fenced code block")
    if not code.strip():
        raise FormatProblem("the code block is empty")
    if len(code.encode()) > max_code_bytes:
        raise FormatProblem(f"program larger than {max_code_bytes} bytes")
    return Program(language, code)

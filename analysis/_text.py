"""Small text helpers shared by the analysis modules.

Kept private: the public surface is classify/observe/clean/validate, and these helpers only
exist so the modules agree on what a fence, a number token and a separator are.
"""

from __future__ import annotations

import re

Number = int | float

# A fenced block: the language tag is optional and the closing fence may be missing when the
# output was truncated, which weak models do often enough to matter.
_FENCE_RE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)

# Tags a model sometimes prints on their own line before the content (a fence that lost its
# backticks).
_LANG_TAGS = {"python", "py", "python3", "json", "csv", "text", "plaintext", "txt", "output"}

# A number token that is not glued to a word or to another number ("x2", "1.2.3", "2nd").
NUMBER_RE = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w]|\.\d)")

# Enumeration markers at the start of a line: "1. x", "1) x", "1: x", "- x", "* x", "• x".
_ENUM_RE = re.compile(r"^[ \t]*(?:\d+[.):][ \t]+|[-*•][ \t]+)", re.M)


def by_word(groups: dict[str, str]) -> dict[str, str]:
    """Map every word of each group's space-separated list to the group's name."""
    return {word: name for name, words in groups.items() for word in words.split()}


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """Return (language, body) for every fenced block, in order."""
    return [(m.group(1).lower(), m.group(2)) for m in _FENCE_RE.finditer(text)]


def unfence(text: str) -> str:
    """Return the body of the longest fenced block, or the text itself when there is none.

    The longest block is the one that carries the deliverable; short blocks are usually a
    usage example or a one-line command.
    """
    blocks = fenced_blocks(text)
    if not blocks:
        return strip_lang_tag(text.strip())
    body = max((b for _, b in blocks), key=len)
    return strip_lang_tag(body.strip())


def strip_lang_tag(text: str) -> str:
    """Drop a stray first line such as ``python`` that a model printed instead of a fence."""
    first, _, rest = text.partition("\n")
    if rest and first.strip().lower().rstrip(":") in _LANG_TAGS:
        return rest.strip()
    return text


def strip_enumeration(text: str) -> str:
    """Remove list markers so "1. 2" is read as the number 2, not as 1 and 2."""
    return _ENUM_RE.sub("", text)


def to_number(token: str) -> Number:
    """Parse a token, turning integer-valued floats into ints so 2.0 compares equal to 2."""
    if re.fullmatch(r"-?\d+", token):
        return int(token)
    value = float(token)
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def format_number(value: Number) -> str:
    """Render a number the way a person would write it: no trailing .0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)

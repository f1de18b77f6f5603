"""Deterministic clean-up of model text: code and JSON taken out of prose.

Measured on the 0.5B model: code wrapped in a JSON string comes back with a stray
``python`` tag line, and JSON comes back inside fences or after a sentence. Fixing that
here recovers answers without spending another model call.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+.-]*)[ \t]*\n(.*?)(?:\n[ \t]*```|\Z)", re.DOTALL)
_PY_TAGS = {"python", "python3", "py", ""}


def extract_code(text: str) -> str:
    """Return the program in ``text``: a fenced block if there is one, else the text.

    Preference: the first block tagged python (or untagged), else the first block. An
    unterminated fence (output cut at the token limit) still yields what follows it. A
    leading line that is only ``python``/``py`` (a fence tag that lost its backticks in a
    JSON field) is dropped. The code comes back dedented, without surrounding blank lines.
    """
    blocks = [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text)]
    if blocks:
        code = next((body for tag, body in blocks if tag in _PY_TAGS), blocks[0][1])
    else:
        code = text
    lines = code.strip("\n").splitlines()
    while lines and lines[0].strip().strip("`").lower() in {"python", "python3", "py"}:
        lines = lines[1:]
    while lines and lines[-1].strip() == "```":
        lines = lines[:-1]
    return textwrap.dedent("\n".join(lines)).strip("\n")


def extract_json(text: str) -> Any | None:
    """Return the first JSON object or array found in ``text``, or ``None``.

    Tries the whole text, then fenced blocks, then every ``{``/``[`` as a start position
    (``raw_decode`` stops at the end of the value, so trailing prose is fine).
    """
    stripped = text.strip()
    if not stripped:
        return None
    candidates = [stripped] + [m.group(2) for m in _FENCE.finditer(text)]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict | list):
            return value
    decoder = json.JSONDecoder()
    for index, char in enumerate(text):
        if char not in "{[":
            continue
        try:
            value, _ = decoder.raw_decode(text, index)
        except ValueError:
            continue
        if isinstance(value, dict | list):
            return value
    return None

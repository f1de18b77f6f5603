"""Request patterns: the key that learned strategies are recorded under.

A pattern is derived from the analysed intent (kind of content, format, kinds of criteria and
checkable properties), never from the raw text, so paraphrases of one request share what
was learned and a request's specific numbers do not split the statistics.
"""

from __future__ import annotations

import hashlib

from ..state.models import CriterionKind, Intent, OutputFormat
from .guard import safe_token

_VALUE_KINDS = {CriterionKind.PROPERTY, CriterionKind.ORDERING, CriterionKind.FILE_TYPE}
# Formats the validator checks alike are one shape for learning: "List the first 10 primes"
# and "Calculate the first 25 primes" must share what was learned.
_SAME_SHAPE = {OutputFormat.LIST: OutputFormat.RAW_DATA}


def request_pattern(intent: Intent) -> str:
    """A stable, human-readable pattern key such as ``numbers/raw_data/count+property=prime``."""
    parts: set[str] = set()
    for c in intent.success_criteria:
        if c.kind in _VALUE_KINDS and c.value is not None:
            # Values are reduced to short tokens: a model-written intent must not be able to
            # put a sentence into a key that lessons and prompts later quote.
            value = safe_token(str(c.value).split(":")[0])
            parts.add(f"{c.kind.value}={value}")
        else:
            parts.add(c.kind.value)
    crit = "+".join(sorted(parts)) or "none"
    shape = _SAME_SHAPE.get(intent.expected_format, intent.expected_format)
    return f"{intent.data_type.value}/{shape.value}/{crit}"


def pattern_label(pattern: str) -> str:
    """A short phrase for lessons, e.g. ``numbers requests (count, property=prime)``."""
    kind, fmt, crit = (pattern.split("/") + ["", ""])[:3]
    return f"{kind} ({crit.replace('+', ', ')})" if crit and crit != "none" else f"{kind} ({fmt})"


def pattern_key(pattern: str) -> str:
    """A namespace-safe key for the store (labels may not contain dots)."""
    return hashlib.sha1(pattern.encode()).hexdigest()[:16]

"""Memory-poisoning guard: what may enter the store as guidance, and what may not.

ExpeL's ablation is the warning: a few hallucinated reflections undo most of what learning
across tasks gains. Anything we store that a later prompt will read (lessons, heuristics) must
therefore come from our own structured findings, never from tool output or model answers. The
guard is a whitelist grammar for lessons plus a provenance check for heuristics, so it holds
even if a caller composes text carelessly or an import file is hostile.
"""

from __future__ import annotations

import re

# The lesson shapes nodes/learn.py composes from validator fields (prompts LESSON_*), and
# nothing else: a label built from intent tokens, a template name, then a fixed verdict.
_LABEL = r"[a-z_]+ \([a-z0-9_=:, ]{0,120}\)"
_TEMPLATE = r"[a-z_]+:[A-Za-z0-9_-]+"
_ISSUE = (
    r"(it delivered [a-z_]+ instead of [a-z_]+"
    r"|it failed the [a-z_, ]{1,120} check"
    r"|its output did not pass validation"
    r"|its output could not be proven correct \(unverified\))"
)
_LESSON = re.compile(
    rf"For {_LABEL} requests, '{_TEMPLATE}' "
    rf"(did not deliver: {_ISSUE}|delivered validated content \(quality [01]\.\d\d\)\.)"
)
_TEMPLATE_RE = re.compile(rf"{_TEMPLATE}")
_TOKEN = re.compile(r"[^a-z0-9_]+")

MAX_HEURISTIC_CHARS = 300
_NGRAM = 4


def is_safe_lesson(text: str) -> bool:
    """Whether a lesson has exactly the shape our own lesson templates produce."""
    return bool(_LESSON.fullmatch(text))


def is_known_template(template: str) -> bool:
    """Whether a template name has the ``tool:approach`` shape of our vocabulary."""
    return bool(_TEMPLATE_RE.fullmatch(template)) and len(template) <= 60


def safe_token(value: object, limit: int = 24) -> str:
    """Reduce a value (e.g. a criterion value a model supplied) to a short identifier.

    Pattern keys and lesson labels are built from these, so a model-written intent cannot
    smuggle a sentence into them.
    """
    return _TOKEN.sub("_", str(value).lower()).strip("_")[:limit] or "x"


def _ngrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + _NGRAM]) for i in range(max(len(words) - _NGRAM + 1, 0))}


def shares_text_with(text: str, sources: list[str]) -> bool:
    """Whether ``text`` repeats any four-word run of the untrusted ``sources``.

    Provenance, not keyword spotting: a heuristic that quotes what a tool printed or a model
    answered is refused whatever it says.
    """
    mine = _ngrams(text)
    lowered = " ".join(re.findall(r"\w+", text.lower()))
    for source in sources:
        theirs = _ngrams(source)
        if mine & theirs:
            return True
        # Texts too short for a full run are compared whole.
        short = " ".join(re.findall(r"\w+", source.lower())) if not theirs else ""
        if (short and len(short) >= 8 and short in lowered) or (
            not mine and lowered and lowered in source.lower()
        ):
            return True
    return False


def is_safe_heuristic(text: str, untrusted: list[str]) -> bool:
    """A heuristic may be stored when it is short and quotes nothing untrusted."""
    return 0 < len(text) <= MAX_HEURISTIC_CHARS and not shares_text_with(text, untrusted)

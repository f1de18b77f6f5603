"""A round's attempts: which outputs are new, which approach comes next, when to stop.

A weak model asked nearly the same question again, at a higher temperature, was measured to
answer the same way again. So a retry after a program changes the question instead: first
the program is repaired from its concrete failure, then written another way, then another
tool is tried. An output already seen this round is a repeat, not a new attempt; a round
that keeps repeating itself, or has tried every approach, is out of ideas and stops.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from ..state.attempts import Attempt

FIRST, REPAIR, FRESH, SHORT, AI_DATA = "first", "repair", "fresh", "short", "ai_data"
# A repair code made to the model's program (learning/repair.mechanical_repair): the model's
# own repair of that program is still the next idea if it fails.
MECHANICAL = "mechanical"
# Other ways to write the program once a repair failed, in the order they are tried.
FRAMINGS = (FRESH, SHORT)
# Outputs that only repeat earlier ones before a round counts as out of ideas.
MAX_REPEATS = 2
EXCERPT_CHARS = 300

_TOKENS = re.compile(r"-?\d+(?:\.\d+)?|[^\W\d_]+")


def output_key(content: str, error: str | None = None) -> str:
    """A hash of what an attempt produced, blind to spacing, case and punctuation.

    "[2, 3, 5]" and "2, 3, 5" are the same output: a program that only changed how it
    prints has not produced anything new.
    """
    text = f"{content}\nerror: {error or ''}".lower()
    normalised = " ".join(_TOKENS.findall(text))
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The head and tail of ``text`` within about ``limit`` characters.

    The head shows how the output starts and the tail where it stopped, which is what a
    count that fell short or a run that crashed midway needs.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    head, tail = limit * 2 // 3, limit // 3
    omitted = len(text) - head - tail
    return f"{text[:head]} [... {omitted} characters omitted ...] {text[-tail:]}"


def of_round(attempts: Sequence[Attempt], request_id: str) -> list[Attempt]:
    """The attempts of this round only: a thread's earlier requests are not this one's ideas."""
    return [a for a in attempts if a.request_id == request_id]


def seen_before(attempts: Sequence[Attempt], key: str) -> bool:
    """Whether an earlier attempt of the round produced the same output."""
    return any(a.output_key == key for a in attempts)


def programs_tried(attempts: Sequence[Attempt]) -> bool:
    """Whether the round has run a program: the repair ladder applies from then on."""
    return any(a.tool == "python" for a in attempts)


def next_approach(attempts: Sequence[Attempt], *, ai_left: bool) -> str | None:
    """What to try after the last attempt failed, or None when every idea has been used.

    A program that produced something new is repaired once; a failed repair, or an output
    seen before, moves on to another way of writing it; then the model is asked for the data
    itself (``ai_left``: the data request has not tried that yet).
    """
    if not attempts:
        return FIRST
    last = attempts[-1]
    if last.tool == "python" and last.program and last.approach != REPAIR and not last.repeat:
        return REPAIR
    tried = {a.approach for a in attempts}
    for framing in FRAMINGS:
        if framing not in tried:
            return framing
    if ai_left and AI_DATA not in tried and not any(a.tool == "ai_process" for a in attempts):
        return AI_DATA
    return None


def out_of_ideas(attempts: Sequence[Attempt], *, ai_left: bool) -> str | None:
    """Why the round should stop although the budget is not used up, or None to go on."""
    if not programs_tried(attempts):
        return None
    tally = (
        f"{len({a.approach for a in attempts})} approaches, "
        f"{len({a.output_key for a in attempts})} distinct outputs in {len(attempts)} attempts"
    )
    repeats = sum(a.repeat for a in attempts)
    if repeats >= MAX_REPEATS:
        return f"out of new ideas: {repeats} attempts only repeated earlier outputs ({tally})"
    if next_approach(attempts, ai_left=ai_left) is None:
        return f"out of new ideas: every approach was tried ({tally})"
    return None

"""The answer-key scanner: no prompt a scripted model receives may carry a rule's answer.

The rules compute reference answers (a VALUE criterion's value, the first N members of a
sequence) so the validator can check a delivery. If any of those numbers reaches a producer's
prompt, the model is being handed the answer and a measured success measures the rules.

``OracleRecorder`` hooks, for one test: every request the rules read (``_findings``), every
prompt a ``ScriptedChatModel`` receives, and everything produced before it (the model's own
replies and every ``ActionResult``'s content). ``leaks()`` then names each prompt number that
is in a request's answer key, except numbers the request itself states, numbers already
produced by the model or a tool (a history or a finding may quote a delivery), and the tiny
numbers (0 to 10) that occur everywhere.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import BaseModel

from adaptive_react.analysis import intent_rules
from adaptive_react.analysis.verifiers import expected_sequence, split_property
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.state.models import ActionResult, CriterionKind

Number = int | float

# Digits with thousands separators count as one number ("7,006,652"); a bare list such as
# "2,3,5" does not match the separator form and is read item by item. Signs are ignored (in
# "2-71" the 71 is what matters) and values compare by magnitude; a dot only joins digits
# into one decimal ("2..71" holds 2 and 71).
_TOKEN_RE = re.compile(
    r"(?<![\w,])(?<!\d\.)\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w]|[.,]\d)|"
    r"(?<!\w)(?<!\d\.)\d+(?:\.\d+)?(?!\w|\.\d)"
)
_TINY = 10
_MAX_SEQUENCE = 20_000  # longer reference lists are not worth a test's time
_REL = 1e-3


@dataclass(frozen=True)
class Token:
    """A whole number in a text: how it was written and its value."""

    text: str
    value: Number


def tokens(text: str) -> list[Token]:
    """Every whole number token in ``text``, unsigned (never a piece of a longer number)."""
    out: list[Token] = []
    for match in _TOKEN_RE.finditer(text):
        raw = match.group()
        plain = raw.replace(",", "")
        value: Number = float(plain) if "." in plain else int(plain)
        out.append(Token(raw, value))
    return out


def _decimals(token: Token) -> int:
    return len(token.text.partition(".")[2])


def matches(token: Token, key: Number) -> bool:
    """Whether a prompt token states a key value (floats within 0.1 %, as a decimal)."""
    key = abs(key)
    if isinstance(key, int) or float(key).is_integer():
        return float(token.value) == float(key) and key > _TINY
    if "." not in token.text or (abs(key) < 1 and _decimals(token) < 3):
        return False  # "quality 0.50" is not the answer 0.5
    return math.isclose(float(token.value), float(key), rel_tol=_REL, abs_tol=1e-9)


def answer_key(request: str) -> set[Number]:
    """What the rules would compute for ``request``: VALUE answers and sequence members.

    A sequence member counts only when the request states a count (and no range), the case
    where the validator compares with the first N members.
    """
    intent = intent_rules.rules_intent(request)
    key: set[Number] = set()
    for c in intent.success_criteria:
        if c.kind == CriterionKind.VALUE and isinstance(c.value, int | float):
            key.add(c.value)
    count = intent.criterion(CriterionKind.COUNT)
    if count is None or intent.criterion(CriterionKind.RANGE) is not None:
        return key
    n = int(count.value) if isinstance(count.value, int) else 0
    for c in intent.success_criteria:
        if c.kind == CriterionKind.PROPERTY and 0 < n <= _MAX_SEQUENCE:
            name, param = split_property(str(c.value))
            key.update(expected_sequence(name, n, param) or [])
    return key


def _stated(request: str) -> set[float]:
    """Numbers the request states, as written or as the rules normalise them (number words)."""
    text = f"{request}\n{intent_rules.normalize(request)}"
    return {float(t.value) for t in tokens(text)}


def _text_of(reply: Any) -> str:
    if isinstance(reply, BaseModel):
        return reply.model_dump_json()
    if isinstance(reply, dict):
        return json.dumps(reply, default=str)
    content = getattr(reply, "content", None)
    if content is not None:
        return f"{content} {getattr(reply, 'tool_calls', '')}"
    return str(reply)


@dataclass
class OracleRecorder:
    """What one test's scripted models were sent, in order with what was produced."""

    events: list[tuple[str, str]] = field(default_factory=list)  # ("prompt"|"produced", text)
    requests: list[str] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Hook the rules, the scripted model and action results for this test only."""
        original_findings = intent_rules._findings
        original_reply = ScriptedChatModel._next_reply
        original_result_init = ActionResult.__init__

        def findings(request: str) -> Any:
            if request not in self.requests:
                self.requests.append(request)
            return original_findings(request)

        def next_reply(
            model: ScriptedChatModel, messages: list[Any], kwargs: dict[str, Any]
        ) -> Any:
            self.events.append(("prompt", "\n".join(str(m.content) for m in messages)))
            reply = original_reply(model, messages, kwargs)
            self.events.append(("produced", _text_of(reply)))
            return reply

        def result_init(result: ActionResult, /, **data: Any) -> None:
            original_result_init(result, **data)
            self.events.append(("produced", f"{result.content}\n{result.error or ''}"))

        monkeypatch.setattr(intent_rules, "_findings", findings)
        monkeypatch.setattr(ScriptedChatModel, "_next_reply", next_reply)
        monkeypatch.setattr(ActionResult, "__init__", result_init)
        self._original_findings = original_findings

    def keys(self) -> dict[str, set[Number]]:
        """The answer key of every request the rules read in this test."""
        restore = getattr(self, "_original_findings", None)
        saved = intent_rules._findings
        if restore is not None:
            intent_rules._findings = restore  # computing keys must not record requests
        try:
            return {r: answer_key(r) for r in list(self.requests)}
        finally:
            intent_rules._findings = saved

    def leaks(self) -> list[str]:
        """One line per prompt number that is a rule's answer and was neither stated nor
        produced before that prompt."""
        keys = self.keys()
        if not any(keys.values()):
            return []
        stated: set[float] = set()
        for request in keys:
            stated |= _stated(request)
        produced: set[float] = set()
        found: list[str] = []
        for index, (kind, text) in enumerate(self.events):
            if kind == "produced":
                produced.update(float(t.value) for t in tokens(text))
                continue
            for token in tokens(text):
                if float(token.value) in stated or float(token.value) in produced:
                    continue
                for request, key in keys.items():
                    if any(matches(token, k) for k in key):
                        found.append(
                            f"prompt {index}: {token.text!r} is in the answer key of "
                            f"{request!r}: ...{_around(text, token.text)}..."
                        )
                        break
        return list(dict.fromkeys(found))


def _around(text: str, needle: str, width: int = 60) -> str:
    at = text.find(needle)
    return " ".join(text[max(0, at - width) : at + len(needle) + width].split())

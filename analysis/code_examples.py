"""Evidence by execution for code requests: the request's own examples, run against the code.

A function that parses and defines the right name may still compute the wrong thing. When
the request states examples ("add(1, 2) returns 3", a doctest, "for input [1,2,3] the output
is 6", an ``assert``), they are the user's own answer key: running the candidate on them is
evidence that needs no model. Tests a model wrote from the request alone can be run the same
way, as weaker evidence (``source="model"``).

The pieces are pure, so the validate node composes them: ``extract_cases`` and
``cases_from_reply`` keep a case only with a literal expected value (``ast.literal_eval``
decides) and a call that runs on its own; ``harness`` writes one program that runs every case
in isolation, and ``read_outcomes`` trusts only result lines with its random marker;
``run_cases`` does both with the sandbox runner the caller passes; ``finding`` says what failed.

What a finding may say: a request case's expected value comes from the request itself, so
"add(1, 2) returned 4; the request says 3" hands the producer nothing it did not already
have. A model-written test's expected value is not the user's, so findings never quote it.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import itertools
import json
import re
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Literal, Protocol, cast

from pydantic import BaseModel, ConfigDict

from ._harness_body import BODY
from ._text import fenced_blocks

Source = Literal["request", "model"]
Style = Literal["equals", "doctest", "truthy"]
Status = Literal["passed", "failed", "raised", "timeout", "missing", "conflict"]

DEFAULT_CASE_TIMEOUT_S = 2.0
MAX_CASES = 20
MAX_MODEL_CASES = 10

_BUILTINS = frozenset(dir(builtins))
_STDLIB = frozenset(sys.stdlib_module_names)
_LITERAL_CHARS = 2000
# Prose is scanned with bounded effort: a literal or call in a sentence is short, and a
# pathological request ("f(" ten thousand times) must not cost seconds.
_PROSE_LITERAL_CHARS = 500
_MAX_ANCHORS = 500
_ERROR_CHARS = 300
_RUN_STATUSES: frozenset[str] = frozenset({"passed", "failed", "raised", "timeout"})


class Case(BaseModel):
    """One example to run: ``call`` evaluated in the candidate's namespace, against ``expected``.

    Attributes:
        call: A Python expression (for ``truthy`` cases, the whole asserted expression).
        expected: A Python literal; for doctests the printed form, which is also a literal.
        source: ``request`` when the user stated it, ``model`` when a model wrote it.
        style: ``equals`` compares values; ``doctest`` also accepts matching printed output
            when the call returns None; ``truthy`` passes when the expression is true.
        setup: Statements run before the call (doctest set-up lines, stdlib imports).
    """

    model_config = ConfigDict(frozen=True)

    call: str
    expected: str
    source: Source
    style: Style = "equals"
    setup: str = ""


class Outcome(BaseModel):
    """What running one case produced."""

    model_config = ConfigDict(frozen=True)

    case: Case
    status: Status
    got: str | None = None
    error: str | None = None
    alias: str | None = None
    load_error: str | None = None

    @property
    def passed(self) -> bool:
        """Only a reported, matching result passes; anything else is a failure."""
        return self.status == "passed"


class RunResult(Protocol):
    """The part of a sandbox result this module reads (``tools.SandboxResult`` fits)."""

    @property
    def stdout(self) -> str: ...  # noqa: D102

    @property
    def error(self) -> str | None:
        """Why the run failed (a timeout included), None when it did not."""


RunPython = Callable[[str, float], RunResult]
"""Runs a program with a wall-clock budget in seconds, e.g.
``lambda program, budget: run_python(program, limits=SandboxLimits(timeout_s=budget))``."""


# --- expressions: what may run on its own --------------------------------------------------


def _literal(text: str) -> str | None:
    """``text`` stripped when it is a Python literal, not a bare tuple; None otherwise."""
    text = text.strip()
    if not text or len(text) > _LITERAL_CHARS:
        return None
    try:
        tree = ast.parse(text, mode="eval")
        ast.literal_eval(tree)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return None
    # "returns 1, 2" is prose, not a tuple: a tuple has to be written with its parentheses.
    # And ("Venus") is a string that its writer meant as a tuple: which one is unknowable.
    if isinstance(tree.body, ast.Tuple) != text.startswith("("):
        return None
    return text


def _bound(tree: ast.AST) -> set[str]:
    """Names an expression or statement block binds itself (assignments, loop targets, args)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _called(tree: ast.AST) -> set[str]:
    return {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }


def _loaded(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _vet(call: str, setup: str = "", function: str | None = None) -> tuple[str, str] | None:
    """The function under test and the stdlib imports ``call`` needs, or None if it can't run.

    A call may use literals, builtins, stdlib modules, names its set-up defines and exactly
    one function under test (``function`` when given). ``f(x) == 4`` where the request never
    says what ``x`` is would only ever raise NameError, so it is not a case.
    """
    try:
        tree = ast.parse(call, mode="eval")
        setup_tree = ast.parse(setup, mode="exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    defined = _bound(setup_tree)
    called = _called(tree) | _called(setup_tree)
    targets = {function} & called if function is not None else called - _BUILTINS - defined
    if len(targets) != 1:
        return None
    target = targets.pop()
    free = _loaded(tree) - _bound(tree) - _BUILTINS - defined - {target}
    if any(name not in _STDLIB for name in free):
        return None
    return target, "".join(f"import {name}\n" for name in sorted(free))


def _case(
    call: str,
    expected: str,
    source: Source,
    *,
    style: Style = "equals",
    setup: str = "",
    function: str | None = None,
) -> Case | None:
    vetted = _vet(call, setup, function)
    literal = _literal(expected)
    if vetted is None or literal is None:
        return None
    _, imports = vetted
    return Case(
        call=call.strip(), expected=literal, source=source, style=style, setup=imports + setup
    )


# --- reading literals out of prose -----------------------------------------------------------

_SIMPLE_LITERAL = re.compile(r"[-+]?(?:\d[\w.]*(?:[eE][-+]?\d+)?j?|True\b|False\b|None\b)")
# After an expected value: "1,000" or "1, 2" is ambiguous, "'ab' * 3" is an expression.
_AMBIGUOUS_TAIL = re.compile(r"[ \t]*(?:,[ \t]*(?:[-+]?\d|[\[('\"{])|[-+*/%@][ \t]*[\w(\[])|[(\[]")
_WORD_TAIL = re.compile(r"[\w%]")


def _closing(text: str, start: int) -> int | None:
    """End of the bracketed or quoted literal that opens at ``start`` (quotes respected)."""
    depth, quote, i = 0, "", start
    end = min(len(text), start + _PROSE_LITERAL_CHARS)
    while i < end:
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
                if depth == 0:
                    return i + 1
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth <= 0:
                return i + 1 if depth == 0 else None
        i += 1
    return None


def _leading_literal(text: str, start: int, *, strict_tail: bool = True) -> tuple[str, int] | None:
    """The literal that starts at ``start`` and where it ends, or None.

    The end is found by bracket and quote matching (a number or True/False/None by its
    token), never by guessing at prose. A trailing full stop ends the sentence, not a float.
    """
    if start >= len(text):
        return None
    if text[start] in "([{'\"":
        end = _closing(text, start)
    else:
        match = _SIMPLE_LITERAL.match(text, start)
        end = match.end() if match else None
    if end is None:
        return None
    piece = text[start:end]
    if piece.endswith(".") and _literal(piece[:-1]) is not None:
        piece, end = piece[:-1], end - 1
    if _WORD_TAIL.match(text, end) or (strict_tail and _AMBIGUOUS_TAIL.match(text, end)):
        return None
    literal = _literal(piece)
    return (literal, end) if literal is not None else None


# --- doctests ---------------------------------------------------------------------------------

_PROMPT = re.compile(r"^(\s*)>>>(?: (.*)|$)")
_CONTINUATION = re.compile(r"^\s*\.\.\.(?: (.*)|$)")
_DOCSTRING_END = re.compile(r"^\s*(?:\"\"\"|''')\s*$")


def _doctest_block(lines: list[str], i: int) -> tuple[str, list[str], int]:
    """Source, expected-output lines and the index after one ``>>>`` example."""
    match = _PROMPT.match(lines[i])
    assert match is not None
    source = [match.group(2) or ""]
    i += 1
    while i < len(lines) and (cont := _CONTINUATION.match(lines[i])):
        source.append(cont.group(1) or "")
        i += 1
    want: list[str] = []
    while (
        i < len(lines)
        and lines[i].strip()
        and not _PROMPT.match(lines[i])
        and not _DOCSTRING_END.match(lines[i])
    ):
        want.append(lines[i].strip())
        i += 1
    return "\n".join(source), want, i


def _next_is_prompt(lines: list[str], i: int) -> bool:
    rest = (line for line in lines[i:] if line.strip())
    return bool(_PROMPT.match(next(rest, "")))


def _doctest_cases(text: str) -> tuple[str, list[Case | None]]:
    """Cases from ``>>>`` examples, and the text with those lines blanked out.

    Statements (``>>> xs = [3, 1]``) become set-up for the examples after them, as in a
    doctest session. An example with no output line expects None, but only when another
    example follows: a lone prompt at the end is more often unfinished than None.
    """
    lines = text.splitlines()
    kept = list(lines)
    setup: list[str] = []
    cases: list[Case | None] = []
    i = 0
    while i < len(lines):
        if not _PROMPT.match(lines[i]):
            i += 1
            continue
        start = i
        source, want, i = _doctest_block(lines, i)
        kept[start:i] = [""] * (i - start)
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError:
            with contextlib.suppress(SyntaxError):
                ast.parse(source, mode="exec")
                setup.append(source)
            continue
        context = "".join(s + "\n" for s in setup)
        if not want and isinstance(tree.body, ast.Compare):
            # ">>> f(x) == 3" with no output line is written as an assertion, not as None.
            call, expected, style = _from_assert(tree.body)
            cases.append(_case(call, expected, "request", style=style, setup=context))
        elif want or _next_is_prompt(lines, i):
            expected = "\n".join(want) or "None"
            cases.append(_case(source, expected, "request", style="doctest", setup=context))
    return "\n".join(kept), cases


# --- assert lines -----------------------------------------------------------------------------


def _from_assert(test: ast.expr) -> tuple[str, str, Style]:
    """(call, expected, style) for one asserted expression.

    ``x == <literal>`` (either side) and ``x is True/False/None`` compare values, so a
    failure can say what came back; anything else is run as a truth test.
    """
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right, op = test.left, test.comparators[0], test.ops[0]
        if isinstance(op, ast.Eq):
            for value, other in ((right, left), (left, right)):
                if _literal(ast.unparse(value)) is not None:
                    return ast.unparse(other), ast.unparse(value), "equals"
        if (
            isinstance(op, ast.Is)
            and isinstance(right, ast.Constant)
            and any(right.value is v for v in (True, False, None))
        ):
            return ast.unparse(left), repr(right.value), "equals"
    return ast.unparse(test), "True", "truthy"


def _asserts_in(source: str) -> Iterator[ast.expr]:
    """Asserted expressions (and bare ``x == y`` lines): the whole block, else line by line."""
    try:
        trees = [ast.parse(source)]
    except SyntaxError:
        trees = []
        for line in source.splitlines():
            with contextlib.suppress(SyntaxError):
                trees.append(ast.parse(line.strip()))
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                yield node.test
            elif (
                isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Compare)
                and isinstance(node.value.ops[0], ast.Eq)
                and len(node.value.ops) == 1
            ):
                yield node.value


_ASSERT_LINE = re.compile(r"^[ \t]*assert\b[^\n]*$", re.M)


def _assert_cases(text: str, source: Source, function: str | None = None) -> Iterator[Case | None]:
    for test in _asserts_in(text):
        call, expected, style = _from_assert(test)
        yield _case(call, expected, source, style=style, function=function)


# --- stated calls: "f(2) == 4", "add(1, 2) returns 3", "is_even(3) -> False" ------------------

_CALL_START = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*\(")
_DEF_BEFORE = re.compile(r"\b(?:def|class)\s+$")
_ATTRIBUTE = re.compile(r"\.[A-Za-z_]\w*")
# An operator just before a call means it is part of a larger expression ("f(2) + f(3) == 9").
_OPERATOR_BEFORE = re.compile(r"[-+*/%<>=!&|^~@]\s*$")
_CONNECTOR = re.compile(
    r"""\s*`?\s*(?:
        ==>|==|->|=>|[→⇒➞➔⟶]
      | (?:should|must|will|would|shall)\s+
        (?:return|be|equal|give|output|yield|produce|evaluate\s+to)
      | is\s+expected\s+to\s+(?:return|be|equal)
      | returns?|gives?|yields?|equals?|outputs?|produces?|evaluates\s+to|is
    )\s*:?\s*`?\s*""",
    re.X | re.I,
)


def _call_end(text: str, start: int) -> int | None:
    """End of a call expression starting at ``start``: ``f(...)`` plus ``.m(...)``/``[...]``."""
    end = _closing(text, text.index("(", start))
    while end is not None and end < len(text):
        if text[end] in "([":
            end = _closing(text, end)
        elif attribute := _ATTRIBUTE.match(text, end):
            end = attribute.end()
        else:
            break
    return end


def _stated_calls(text: str) -> Iterator[Case | None]:
    for match in itertools.islice(_CALL_START.finditer(text), _MAX_ANCHORS):
        line = text[
            max(0, match.start() - 40, text.rfind("\n", 0, match.start()) + 1) : match.start()
        ]
        bullet = line.strip() in {"*", "-", "+", "•"}
        if _DEF_BEFORE.search(line) or (_OPERATOR_BEFORE.search(line) and not bullet):
            continue
        end = _call_end(text, match.start())
        connector = _CONNECTOR.match(text, end) if end is not None else None
        found = _leading_literal(text, connector.end()) if connector else None
        if found is not None:
            yield _case(text[match.start() : end], found[0], "request")


# --- input/output pairs: "for input [1,2,3] the output is 6" ----------------------------------

_INPUT = re.compile(
    r"""\b(?:inputs?|arguments?|args)\b\s*(?:is|are|of|=|:)?\s*
      | \b(?P<clause>for|given|with|when|if)\s+(?=[A-Za-z_]\w*\s*=(?!=)|[\[({'"])""",
    re.X | re.I,
)
_OUTPUT = re.compile(
    r"""(?:\b(?:the\s+)?(?:output|result|answer|return\s+value|expected)\b\s*
            (?:should\s+be|will\s+be|would\s+be|must\s+be|is|=|:)?
      | \b(?:should\s+|it\s+|will\s+)?(?:returns?|gives?|yields?|produces?)\b
      | ==>|->|=>|[→⇒➞➔⟶])\s*:?\s*`?\s*""",
    re.X | re.I,
)
_ARG_NAME = re.compile(r"\s*([A-Za-z_]\w*)\s*=(?!=)\s*")
_ARG_SEP = re.compile(r"\s*(?:,\s*and\b|,|\band\b)\s*")
_PARAGRAPH = re.compile(r"\n\s*\n")
_OPERATOR_TAIL = re.compile(r"\s*[<>=!+*/%]")
# "if 'text' is an empty string, return None" states a condition, not an example.
_CONDITION = re.compile(r"\s+(?:is|are|was|has|have|contains?|equals?|becomes?)\b", re.I)
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|\n")


def _arguments(text: str, pos: int) -> tuple[list[str], int]:
    """Literal arguments at ``pos`` (``1, 2``, ``arr = [1], k = 3``), passed by position."""
    args: list[str] = []
    while True:
        named = _ARG_NAME.match(text, pos)
        at = named.end() if named else pos
        found = _leading_literal(text, at, strict_tail=False)
        if found is None or _OPERATOR_TAIL.match(text, found[1]):
            return [], pos  # half an argument list would be a different call
        args.append(found[0])
        pos = found[1]
        sep = _ARG_SEP.match(text, pos)
        if not sep:
            return args, pos
        following = text[sep.end() : sep.end() + 1]
        value = following and (following in "[({'\"-+TFN" or following.isdigit())
        if not (value or _ARG_NAME.match(text, sep.end())):
            return args, pos
        pos = sep.end()


def _output_after(text: str, pos: int) -> str | None:
    """The first literal output stated after an input, before the next input or paragraph."""
    window = text[pos : pos + 400]
    for stop in (_INPUT.search(window), _PARAGRAPH.search(window)):
        if stop:
            window = window[: stop.start()]
    for match in _OUTPUT.finditer(window):
        found = _leading_literal(window, match.end())
        if found is not None:
            return found[0]
    return None


def _io_pairs(text: str, function: str) -> Iterator[Case | None]:
    for match in itertools.islice(_INPUT.finditer(text), _MAX_ANCHORS):
        args, end = _arguments(text, match.end())
        if not args or (match.group("clause") and _CONDITION.match(text, end)):
            continue
        # "For N = 5, the output is 120": a clause and its output share one sentence, or
        # "given 2 words ... return True if ..." would pair a count with a description.
        sentence = _SENTENCE_END.search(text, end) if match.group("clause") else None
        expected = _output_after(text[: sentence.start()] if sentence else text, end)
        if expected is not None:
            yield _case(f"{function}({', '.join(args)})", expected, "request", function=function)


# --- the function a request is about ----------------------------------------------------------

_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(", re.M)
_NAMED = re.compile(
    r"\b(?:function|method)\s+(?:(?:called|named)\s+`?([A-Za-z_]\w*)`?|`([A-Za-z_]\w*)`"
    r"|([A-Za-z_]\w*)\s*\(|([A-Za-z_]\w*_\w*)"
    r"|(?!(?:that|which|to|for|in|with|the|an?)\b)([A-Za-z_]\w*)\s+(?:that|which|taking|returning)\b)"
    r"|\b(?:write|implement|define|create)\s+(?:`([A-Za-z_]\w*)`|([A-Za-z_]\w*)\s*\()",
    re.I,
)


def target_function(request: str) -> str | None:
    """The name of the function a request asks for, when it says so; None otherwise.

    A ``def`` in the request wins (the last one: a prompt defines helpers before the function
    to write); then "a function called add", "function `add`", "function add(a, b)".
    """
    defs = _DEF.findall(request)
    if defs:
        return str(defs[-1])
    names = {next(g for g in m.groups() if g) for m in _NAMED.finditer(request)}
    names -= _BUILTINS
    return names.pop() if len(names) == 1 else None


# --- public extraction ------------------------------------------------------------------------


def _runnable(cases: Iterable[Case | None]) -> list[Case]:
    """The cases that can run, each once (the same call however it is spaced)."""
    unique: dict[tuple[str, str, str], Case] = {}
    for case in cases:
        if case is not None:
            key = (ast.unparse(ast.parse(case.call, mode="eval")), case.expected, case.setup)
            unique.setdefault(key, case)
    return list(unique.values())


def extract_cases(request: str, *, function: str | None = None) -> list[Case]:
    """Test cases from the examples a request states, each with a literal expected value.

    Args:
        request: The user's request (prose, a signature with a docstring, or both).
        function: The function's name, when the caller knows it; otherwise it is read from
            the request. It is needed only for input/output pairs, which name no function.

    Returns:
        At most ``MAX_CASES`` cases marked ``source="request"``; an empty list when the
        request states no example that can be run safely.
    """
    text, doctests = _doctest_cases(request)
    asserted = "\n".join(m.group(0).strip() for m in _ASSERT_LINE.finditer(text))
    text = _ASSERT_LINE.sub("", text)  # what an assert line states is not prose to read again
    name = function or target_function(request)
    return _runnable(
        itertools.chain(
            doctests,
            _assert_cases(asserted, "request"),
            _stated_calls(text),
            _io_pairs(text, name) if name else (),
        )
    )[:MAX_CASES]


def cases_from_reply(text: str, function: str) -> list[Case]:
    """Tests a model wrote for ``function`` (asserts or ``f(x) == y`` lines), as weak cases.

    Lines that do not call ``function`` or that need names nobody defined are dropped, so a
    reply with prose around the tests still yields what it can.
    """
    blocks = [body for _, body in fenced_blocks(text)] or [text]
    found = (case for block in blocks for case in _assert_cases(block, "model", function))
    return _runnable(found)[:MAX_MODEL_CASES]


# --- running ----------------------------------------------------------------------------------


def new_marker() -> str:
    """A marker no program can predict: result lines without it are ignored."""
    return "@@case-" + secrets.token_hex(16)


def harness(
    code: str, cases: list[Case], *, marker: str, case_timeout_s: float = DEFAULT_CASE_TIMEOUT_S
) -> str:
    """A program that loads ``code`` as a module and prints one marked line per case.

    Args:
        code: The candidate's Python source (plain, not fenced). Its
            ``if __name__ == "__main__":`` block does not run; other top-level code does,
            with its output discarded and its exceptions reported, not fatal.
        cases: The cases, run in order in the candidate's namespace, each under its own
            alarm and with its own exception handling.
        marker: From ``new_marker()``; ``read_outcomes`` needs the same one.
        case_timeout_s: Time allowed for loading the code and for each case.
    """
    if not marker or any(ch.isspace() for ch in marker):
        raise ValueError("the marker must be a non-empty token without spaces")
    config = {
        "marker": marker,
        "case_timeout_s": float(case_timeout_s),
        "code": code,
        "cases": [
            {**c.model_dump(exclude={"source"}), "target": (_vet(c.call, c.setup) or ("", ""))[0]}
            for c in cases
        ],
    }
    return f"_CFG = {config!r}\n{BODY}"


def budget_s(cases: int, case_timeout_s: float = DEFAULT_CASE_TIMEOUT_S) -> float:
    """Wall-clock time for a whole harness run: loading, every case, interpreter start."""
    return 5.0 + case_timeout_s * (cases + 1)


def _text(value: object) -> str | None:
    return value[:_ERROR_CHARS] if isinstance(value, str) else None


def _outcome(case: Case, found: list[dict[str, object]], error: str | None) -> Outcome:
    if len(found) > 1:
        forged = "more than one result line: the program printed a forged one"
        return Outcome(case=case, status="conflict", error=forged)
    record = found[0] if found else {}
    status = record.get("status")
    if status not in _RUN_STATUSES:
        reason = "an unreadable result line" if found else error
        missing = reason or "the program stopped before reporting this case"
        return Outcome(case=case, status="missing", error=missing)
    return Outcome(
        case=case,
        status=cast(Status, status),
        got=_text(record.get("got")),
        error=_text(record.get("error")),
        alias=_text(record.get("alias")),
        load_error=_text(record.get("load_error")),
    )


def read_outcomes(
    stdout: str, marker: str, cases: list[Case], *, error: str | None = None
) -> list[Outcome]:
    """One outcome per case, from the harness's marked lines in ``stdout``.

    A case with no line (the program crashed, timed out or exited early) is a failure that
    carries ``error``, the run's own reason; a case with two lines is a failure too, since
    only a program that forged a line can produce a second one.
    """
    records: dict[int, list[dict[str, object]]] = {}
    for line in stdout.splitlines():
        at = line.find(marker)
        if at < 0:
            continue
        try:
            record = json.loads(line[at + len(marker) :])
        except ValueError:
            continue
        index = record.get("i") if isinstance(record, dict) else None
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(cases):
            records.setdefault(index, []).append(record)
    return [_outcome(case, records.get(i, []), error) for i, case in enumerate(cases)]


def run_cases(
    code: str,
    cases: list[Case],
    run_python: RunPython,
    *,
    case_timeout_s: float = DEFAULT_CASE_TIMEOUT_S,
) -> list[Outcome]:
    """Run ``cases`` against ``code`` in the sandbox ``run_python`` stands for (a ``RunPython``)."""
    if not cases:
        return []
    marker = new_marker()
    program = harness(code, cases, marker=marker, case_timeout_s=case_timeout_s)
    result = run_python(program, budget_s(len(cases), case_timeout_s))
    error = (result.error or "the program exited before reporting this case")[:_ERROR_CHARS]
    return read_outcomes(result.stdout, marker, cases, error=error)


# --- findings ---------------------------------------------------------------------------------


def _failure(outcome: Outcome) -> str:
    case = outcome.case
    if outcome.status == "failed":
        if case.style == "truthy":
            return f"assert {case.call} failed (it evaluated to {outcome.got})"
        said = (
            f" (the request says {case.expected})"
            if case.source == "request"
            else ", which the test does not accept"
        )
        return f"{case.call} returned {outcome.got}{said}"
    if outcome.status == "raised":
        return f"{case.call} raised {outcome.error}"
    if outcome.status == "timeout":
        return f"{case.call} {outcome.error}"
    return f"{case.call} gave no result ({outcome.error})"


def _group(outcomes: list[Outcome], label: str) -> str | None:
    failed = [o for o in outcomes if not o.passed]
    if not failed:
        return None
    listed = "; ".join(_failure(o) for o in failed[:3])
    more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
    return f"{len(failed)} of {len(outcomes)} {label} failed when the code was run: {listed}{more}."


def finding(outcomes: list[Outcome]) -> str | None:
    """One sentence per source naming the failing calls and what they did; None if all pass.

    Request examples quote the request's own expected value; model-written tests never
    quote theirs (it is a model's guess, not the user's answer).
    """
    parts = [
        _group([o for o in outcomes if o.case.source == "request"], "examples from the request"),
        _group([o for o in outcomes if o.case.source == "model"], "model-written tests"),
    ]
    load = next((o.load_error for o in outcomes if o.load_error and not o.passed), None)
    if load:
        parts.append(f"({load[:1].upper()}{load[1:]}.)")
    text = " ".join(p for p in parts if p)
    return text or None

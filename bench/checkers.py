"""Checkers: code that decides whether a deliverable solves a task, named from a registry.

A checker never asks a model and never reuses the agent's own validator (a bug there must
not make a wrong answer pass here). Each gets the deliverable text, the files the agent
produced and the task's ``checker.args``, and returns ``(passed, detail)``.

Registered checkers and their ``args``:

- ``numbers``: ``expected`` (list), optional ``alternatives`` (lists also accepted). The
  numbers in the text must be exactly the list, in order; numbers echoed from the request
  before or after the list (``"The first 10 primes: ..."``) are ignored.
- ``value``: ``expected`` (number), ``rel_tol`` (default 0). The last number in the text
  that does not merely echo the request.
- ``csv``: ``header`` (list), ``rows`` (list of lists). A header row, then exactly the rows.
- ``json``: ``records`` (any JSON value). Parsed JSON equal to it (numbers compared as numbers).
- ``python_tests``: ``function``, ``cases`` (list of ``[args, expected]``). The code in the
  deliverable is run in the sandbox against the cases.
- ``xlsx``: ``header``, ``rows``. The first sheet of the produced .xlsx holds them.
- ``docx``: ``contains`` (list of strings). The produced .docx's text contains each.
- ``pdf``: ``numbers`` (list) and/or ``contains``. The produced PDF's text holds exactly those
  numbers / contains those strings.

Add one with ``@register_checker("name")``; a task file can then use it without new runner code.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Deliverable:
    """What an agent handed back for one task."""

    text: str
    files: list[str] = field(default_factory=list)
    request: str = ""


Checker = Callable[[Deliverable, dict[str, Any]], tuple[bool, str]]
CHECKERS: dict[str, Checker] = {}

_NUM = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")
_FENCE = re.compile(r"```[^\n]*\n(.*?)(?:```|\Z)", re.S)


def register_checker(name: str) -> Callable[[Checker], Checker]:
    """Register a checker under ``name`` so task files can refer to it."""

    def deco(fn: Checker) -> Checker:
        CHECKERS[name] = fn
        return fn

    return deco


def check(name: str, deliverable: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """Run a registered checker; a crashing checker is a failed check, not a crashed run."""
    try:
        return CHECKERS[name](deliverable, args)
    except Exception as exc:  # noqa: BLE001 - report, never crash the benchmark
        return False, f"checker error: {type(exc).__name__}: {exc}"[:300]


def numbers_in(text: str) -> list[float]:
    """Every number in ``text``, in order (as floats)."""
    return [float(m) for m in _NUM.findall(text)]


def _num_eq(a: float, b: float, rel_tol: float = 0.0) -> bool:
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-9)


def _same_list(got: list[float], want: list[Any]) -> bool:
    return len(got) == len(want) and all(
        _num_eq(g, float(w)) for g, w in zip(got, want, strict=True)
    )


def _unfenced(text: str) -> str:
    blocks = _FENCE.findall(text)
    return blocks[0] if blocks else text


@register_checker("numbers")
def check_numbers(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """Exactly the expected list of numbers (echoes of the request around it are ignored)."""
    got = numbers_in(d.text)
    echoed = set(numbers_in(d.request))
    candidates = [got]
    lo, hi = 0, len(got)
    while lo < hi and got[lo] in echoed:
        lo += 1
        candidates.append(got[lo:hi])
    while hi > lo and got[hi - 1] in echoed:
        hi -= 1
        candidates.append(got[lo:hi])
    wants = [args["expected"], *args.get("alternatives", [])]
    if any(_same_list(c, w) for c in candidates for w in wants):
        return True, f"{len(args['expected'])} numbers as expected"
    want = args["expected"]
    if len(got) != len(want):
        return False, f"{len(got)} numbers, expected {len(want)}"
    bad = next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if not _num_eq(g, w))
    return False, f"item {bad + 1} is {got[bad]:g}, expected {want[bad]}"


def _first_primes(n: int) -> list[int]:
    primes: list[int] = []
    candidate = 2
    while len(primes) < n:
        if all(candidate % p for p in primes if p * p <= candidate):
            primes.append(candidate)
        candidate += 1
    return primes


@register_checker("first_primes")
def check_first_primes(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """Exactly the first ``n`` primes, in order (a task file need not list 1000 numbers)."""
    return check_numbers(d, {"expected": _first_primes(int(args["n"]))})


@register_checker("value")
def check_value(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """A single value within ``rel_tol`` of the expected one."""
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", d.text)
    got = numbers_in(text)
    echoed = set(numbers_in(d.request))
    fresh = [g for g in got if g not in echoed] or got
    if not fresh:
        return False, "no number in the deliverable"
    want = float(args["expected"])
    value = fresh[-1]
    ok = _num_eq(value, want, float(args.get("rel_tol", 0.0)))
    return ok, f"got {value:g}, expected {want:g}"


def _cells_match(got: list[str], want: list[Any]) -> bool:
    if len(got) != len(want):
        return False
    for g, w in zip(got, want, strict=True):
        g = g.strip().strip('"')
        if isinstance(w, int | float) and not isinstance(w, bool):
            try:
                if not _num_eq(float(g), float(w)):
                    return False
            except ValueError:
                return False
        elif g.lower() != str(w).lower():
            return False
    return True


def _table_rows(
    rows: list[list[str]], header: list[str], want: list[list[Any]]
) -> tuple[bool, str]:
    norm = [h.lower() for h in header]
    for i, row in enumerate(rows):
        if [c.strip().strip('"').lower() for c in row] == norm:
            body = [r for r in rows[i + 1 :] if any(c.strip() for c in r)]
            if len(body) != len(want):
                return False, f"{len(body)} rows, expected {len(want)}"
            for j, (g, w) in enumerate(zip(body, want, strict=True)):
                if not _cells_match(g, w):
                    return False, f"row {j + 1} is {g}, expected {w}"
            return True, f"header and {len(want)} rows as expected"
    return False, f"no header row {header}"


@register_checker("csv")
def check_csv(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """A CSV header row followed by exactly the expected rows."""
    lines = [ln for ln in _unfenced(d.text).splitlines() if "," in ln]
    return _table_rows([ln.split(",") for ln in lines], args["header"], args["rows"])


def _norm_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _norm_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm_json(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 9)
    return value


@register_checker("json")
def check_json(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """Parsed JSON equal to ``records``."""
    text = _unfenced(d.text)
    decoder = json.JSONDecoder()
    for i, ch in enumerate(text):
        if ch in "[{":
            try:
                value, _ = decoder.raw_decode(text, i)
            except ValueError:
                continue
            if isinstance(value, dict) and len(value) == 1 and isinstance(args["records"], list):
                inner = next(iter(value.values()))
                value = inner if isinstance(inner, list) else value
            if _norm_json(value) == _norm_json(args["records"]):
                return True, "JSON as expected"
            return False, f"JSON differs: {json.dumps(value)[:120]}"
    return False, "no JSON value in the deliverable"


_TEST_HARNESS = """
import json as _json
_cases = _json.loads({cases!r})
for _args, _want in _cases:
    _got = {function}(*_args)
    assert _got == _want, f"{function}{{tuple(_args)}} returned {{_got!r}}, expected {{_want!r}}"
print("all", len(_cases), "cases passed")
"""


@register_checker("python_tests")
def check_python_tests(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """The deliverable's code defines ``function`` and passes every case, run in the sandbox."""
    from adaptive_react.tools import SandboxLimits, run_python

    code = _unfenced(d.text)
    if f"def {args['function']}" not in code:
        return False, f"no definition of {args['function']}"
    program = (
        code
        + "\n"
        + _TEST_HARNESS.format(cases=json.dumps(args["cases"]), function=args["function"])
    )
    res = run_python(program, limits=SandboxLimits(timeout_s=10))
    import shutil

    shutil.rmtree(res.workdir, ignore_errors=True)
    return res.ok, (res.stdout.strip() if res.ok else (res.error or "failed"))[:200]


def _file(d: Deliverable, suffix: str) -> Path | None:
    names = list(d.files) + re.findall(r"\S+" + re.escape(suffix), d.text)
    for name in names:
        path = Path(name)
        if path.suffix.lower() == suffix and path.is_file():
            return path
    return None


@register_checker("xlsx")
def check_xlsx(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """The produced workbook's first sheet holds the header and rows."""
    from openpyxl import load_workbook

    path = _file(d, ".xlsx")
    if path is None:
        return False, "no .xlsx file produced"
    ws = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = [["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)]
    return _table_rows(rows, args["header"], args["rows"])


@register_checker("docx")
def check_docx(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """The produced Word document contains every string in ``contains``."""
    import docx

    path = _file(d, ".docx")
    if path is None:
        return False, "no .docx file produced"
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs).lower()
    missing = [s for s in args.get("contains", []) if s.lower() not in text]
    return not missing, f"missing {missing}" if missing else "all text present"


@register_checker("pdf")
def check_pdf(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """The produced PDF holds exactly ``numbers`` (in order) and contains ``contains``."""
    from pypdf import PdfReader

    path = _file(d, ".pdf")
    if path is None:
        return False, "no .pdf file produced"
    text = "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    if "numbers" in args and not _same_list(numbers_in(text), args["numbers"]):
        return False, f"numbers in the PDF: {numbers_in(text)[:12]}"
    missing = [s for s in args.get("contains", []) if s.lower() not in text.lower()]
    return not missing, f"missing {missing}" if missing else "PDF content as expected"


# -- one extraction rule for every agent's deliverable --------------------------------------
# The checkers below read the raw text any agent delivered with the same rules: no agent's
# output is cleaned up before checking, and none is held to a stricter reading.

_FENCE_ANY = re.compile(r"```[^\n`]*\n(.*?)(?:```|\Z)", re.S)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_LIST_MARK = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")


def extract_function(text: str, name: str) -> str | None:
    """The code that defines ``name``: the first fenced block, or else the whole text, that
    defines it and compiles. None when nothing does (prose around unfenced code, a body
    without its ``def``, a syntax error)."""
    for candidate in [*_FENCE_ANY.findall(text), text]:
        if not re.search(rf"^\s*(?:async\s+)?def\s+{re.escape(name)}\s*\(", candidate, re.M):
            continue
        try:
            compile(candidate, "<deliverable>", "exec")
        except (SyntaxError, ValueError):
            continue
        return candidate
    return None


def final_number(text: str) -> float | None:
    """The last number in the text (thousands separators and a leading $ allowed)."""
    cleaned = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    found = numbers_in(cleaned.replace("$", " "))
    return found[-1] if found else None


_HUMANEVAL_PROGRAM = """{prompt}

{code}

{test}

check({entry_point})
print("hidden tests passed")
"""


@register_checker("humaneval")
def check_humaneval(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """The HumanEval problem's own hidden ``check`` passes on the delivered function.

    The problem's prompt runs first (its imports and helper functions, as HumanEval's own
    harness does), then the delivered code, then the hidden tests, in the sandbox with a
    timeout.
    """
    import shutil

    from adaptive_react.tools import SandboxLimits, run_python

    from .external import humaneval_problems

    problem = humaneval_problems()[args["task_id"]]
    entry = str(problem["entry_point"])
    code = extract_function(d.text, entry)
    if code is None:
        return False, f"no compilable definition of {entry}"
    program = _HUMANEVAL_PROGRAM.format(
        prompt=problem["prompt"], code=code, test=problem["test"], entry_point=entry
    )
    res = run_python(program, limits=SandboxLimits(timeout_s=float(args.get("timeout_s", 15))))
    shutil.rmtree(res.workdir, ignore_errors=True)
    if res.ok and "hidden tests passed" in res.stdout:
        return True, "hidden tests passed"
    why = (res.error or res.stderr or "failed").strip().splitlines()
    return False, ("hidden tests failed: " + (why[-1] if why else "?"))[:200]


@register_checker("final_number")
def check_final_number(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """The last number in the deliverable is the answer (``expected``, ``abs_tol``)."""
    value = final_number(d.text)
    if value is None:
        return False, "no number in the deliverable"
    want = float(args["expected"])
    ok = math.isclose(value, want, rel_tol=0.0, abs_tol=float(args.get("abs_tol", 1e-9)))
    return ok, f"final number {value:g}, expected {want:g}"


def _json_values(text: str) -> list[Any]:
    """Every top-level JSON object or array in the text, fenced blocks first."""
    decoder = json.JSONDecoder()
    out: list[Any] = []
    for part in [*_FENCE_ANY.findall(text), text]:
        i = 0
        while i < len(part):
            if part[i] in "[{":
                try:
                    value, end = decoder.raw_decode(part, i)
                except ValueError:
                    i += 1
                    continue
                out.append(value)
                i = end
            else:
                i += 1
    return out


@register_checker("json_keys")
def check_json_keys(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """A JSON object with exactly ``keys``, and ``values`` where given (numbers as numbers)."""
    objects = [v for v in _json_values(d.text) if isinstance(v, dict)]
    if not objects:
        return False, "no JSON object in the deliverable"
    obj = objects[0]
    keys = list(args["keys"])
    if sorted(obj) != sorted(keys):
        return False, f"keys {sorted(obj)}, expected {sorted(keys)}"
    for key, want in (args.get("values") or {}).items():
        if _norm_json(obj[key]) != _norm_json(want) and not (
            isinstance(obj[key], str) and obj[key].strip().lower() == str(want).lower()
        ):
            return False, f"{key} is {obj[key]!r}"
    return True, "JSON object as expected"


def _word_lists(text: str) -> list[list[str]]:
    """Candidate word lists: each line split at commas, and runs of one-word lines."""
    lists: list[list[str]] = []
    run: list[str] = []
    for raw in text.splitlines():
        line = _LIST_MARK.sub("", raw).strip().strip("`")
        line = line.rsplit(":", 1)[-1]  # "Sorted: a, b, c" - the lead-in is not an item
        words = _WORD.findall(line)
        if "," in line:
            items = [_WORD.findall(item) for item in line.split(",")]
            if all(len(item) == 1 for item in items):
                lists.append([item[0] for item in items])
        if len(words) == 1 and line.strip(" .;:\"'") == words[0]:
            run.append(words[0])
            continue
        if run:
            lists.append(run)
        run = []
    if run:
        lists.append(run)
    return lists


@register_checker("words")
def check_words(d: Deliverable, args: dict[str, Any]) -> tuple[bool, str]:
    """Some list in the text (a comma-separated line, or one word per line) is exactly
    ``expected``, in order; case is ignored."""
    want = [w.lower() for w in args["expected"]]
    lists = _word_lists(d.text)
    if any([w.lower() for w in got] == want for got in lists):
        return True, f"{len(want)} words in the expected order"
    longest = max(lists, key=len, default=[])
    return False, f"no list of the {len(want)} words in order (longest list: {len(longest)})"

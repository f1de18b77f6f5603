"""Check delivered content against the intent, with code wherever code can decide.

Every verdict here comes with a concrete issue and a concrete suggestion, because the next
step's prompt is built from them: "6 is not prime" lets a model fix its answer, "the answer
is wrong" does not. Criteria that code cannot decide are returned with ``passed=None`` and
``checked_by="none"`` so the calling node can hand exactly those to a model judge.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..state import ActionResult, DataType, Intent, Validation
from ..state.models import ContentKind, Criterion, CriterionKind, CriterionResult, OutputFormat
from ._text import NUMBER_RE, Number, format_number, strip_enumeration, unfence
from .cleanup import clean, single_value
from .content import (
    classify,
    extract_numbers,
    item_lines,
    kind_matches,
    parse_python,
    table_delimiter,
    text_items,
)
from .documents import inspect_document
from .verdict import settle
from .verifiers import (
    COMPLETE,
    VERIFIERS,
    determines_set,
    members_in_range,
    parse_range,
    sequence_finding,
    split_property,
)

_FENCE_RE = re.compile(r"```.*?(?:```|\Z)", re.S)

# Floats (divisions, conversions) pass within this relative tolerance, or this absolute one
# near zero; ints must match exactly.
REL_TOLERANCE = 0.005
ABS_TOLERANCE = 0.01
_DOC_FORMATS = {OutputFormat.XLSX, OutputFormat.DOCX, OutputFormat.PDF}


@dataclass
class Delivered:
    """What was actually delivered, in the shapes the criterion checks need."""

    text: str
    values: list[Number] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: int | None = None
    code: ast.Module | None = None
    file_info: dict[str, Any] | None = None
    why_unchecked: str = ""
    raw: str = ""  # the reply as sent (unfenced): layout is judged on it, not on the cleanup
    items: list[str] = field(default_factory=list)  # words or phrases of a text list
    records: list[Any] = field(default_factory=list)  # parsed JSON records, for field types

    @property
    def checkable(self) -> bool:
        """False when the content is the wrong kind to check at all."""
        return not self.why_unchecked


@dataclass
class _Report:
    data_type_match: bool = True
    format_match: bool = True
    issues: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    results: list[CriterionResult] = field(default_factory=list)
    cleaned: str | None = None

    def fail(self, issue: str, suggestion: str) -> None:
        self.issues.append(issue)
        self.suggestions.append(suggestion)


def validate_content(result: ActionResult, intent: Intent) -> Validation:
    """Validate an action result against the intent; deterministic and model-free."""
    if not result.success:
        return _failed_action(result)
    report = _Report()
    delivered = _deliver(result, intent, report)
    # A file's layout is its own text; the program that wrote it may print anything or nothing.
    on_file = delivered.file_info is not None
    delivered.raw = delivered.text if on_file else unfence(result.content or "")
    report.results = [_check(c, delivered, intent) for c in intent.success_criteria]
    if intent.expected_format == OutputFormat.SINGLE_VALUE and not intent.criterion(
        CriterionKind.VALUE
    ):
        report.results.append(_unverified_value(delivered))
    for res in report.results:
        if res.passed is False:
            report.fail(res.detail, _suggest(res, intent))
    return settle(_finish(report, intent, result))


def _failed_action(result: ActionResult) -> Validation:
    error = result.error or "the action failed without an error message"
    return Validation(
        overall_success=False,
        data_type_match=False,
        format_match=False,
        quality_score=0.0,
        issues=[f"action failed: {error}"],
        suggestions=["Fix the cause of the error above, or choose a different action."],
    )


def _finish(report: _Report, intent: Intent, result: ActionResult) -> Validation:
    """The validation; ``settle`` scores it and says what it may claim."""
    passed = report.data_type_match and report.format_match
    passed = passed and all(r.passed is not False for r in report.results)
    cleaned = report.cleaned if passed and report.cleaned != result.content else None
    if intent.data_type == DataType.CODE and report.data_type_match:
        cleaned = report.cleaned  # the node always wants the bare code
    return Validation(
        overall_success=passed,
        data_type_match=report.data_type_match,
        format_match=report.format_match,
        criteria=report.results,
        quality_score=0.0,
        issues=report.issues,
        suggestions=report.suggestions,
        cleaned_content=cleaned,
    )


# ---------------------------------------------------------------------------------------
# Data type and format, per intent data type.


def _deliver(result: ActionResult, intent: Intent, report: _Report) -> Delivered:
    if intent.data_type == DataType.DOCUMENT or intent.expected_format in _DOC_FORMATS:
        return _deliver_document(result, intent, report)
    content = result.content or ""
    kind = classify(content)
    if kind == ContentKind.EMPTY:
        report.data_type_match = report.format_match = False
        report.fail("the result is empty", f"Deliver the {intent.subject or 'answer'} itself.")
        return Delivered(text="", why_unchecked="the result is empty")
    handler = {
        DataType.NUMBERS: _deliver_numbers,
        DataType.CODE: _deliver_code,
        DataType.TABLE: _deliver_table,
    }.get(intent.data_type, _deliver_text)
    return handler(content, kind, intent, report)


def _deliver_numbers(content: str, kind: ContentKind, intent: Intent, report: _Report) -> Delivered:
    if kind == ContentKind.CODE:
        outside = _numbers_beside_code(content, intent)
        if outside is not None:
            return _deliver_numbers(outside, classify(outside), intent, report)
        report.data_type_match = report.format_match = False
        report.fail(
            "delivered code, not numbers",
            "Deliver the numbers themselves (or run the program with the python tool and "
            "return its output), not a program.",
        )
        return Delivered(text=content, why_unchecked="the content is code")
    cleaned = clean(content, intent)
    values = _values_for(cleaned, intent)
    report.cleaned = cleaned
    if not values or not kind_matches(kind, intent, len(values)):
        report.data_type_match = False
        report.fail(
            f"no numbers found (content looks like {kind.value})",
            f"Reply with the {intent.subject or 'numbers'} only, e.g. '2, 3, 5, 7'.",
        )
    report.format_match = bool(values)
    fmt = intent.expected_format
    if values and fmt == OutputFormat.JSON and not _parses_json(cleaned):
        report.format_match = False
        report.fail("the numbers are not valid JSON", "Return a JSON array such as [2, 3, 5].")
    elif values and fmt == OutputFormat.SINGLE_VALUE and len(extract_numbers(cleaned)) > 1:
        report.format_match = False
        report.fail("expected one value, got a list", "Reply with the single computed value.")
    return Delivered(text=cleaned, values=values)


def _numbers_beside_code(content: str, intent: Intent) -> str | None:
    """The text outside code fences, when it alone already delivers the numbers.

    A model that shows its program *and* the complete output has delivered; only the program
    is noise. The output must be complete (meet the stated count) to count as delivered.
    """
    outside = _FENCE_RE.sub("\n", content).strip()
    values = extract_numbers(outside)
    if not values or classify(outside) == ContentKind.CODE:
        return None
    count = intent.criterion(CriterionKind.COUNT)
    try:
        needed = int(str(count.value)) if count is not None else 1
    except ValueError:
        needed = 1
    return outside if len(values) >= needed else None


def _values_for(cleaned: str, intent: Intent) -> list[Number]:
    if intent.expected_format == OutputFormat.SINGLE_VALUE:
        value = single_value(cleaned)
        return [] if value is None else [value]
    if intent.expected_format == OutputFormat.JSON:
        return _json_numbers(cleaned)
    return extract_numbers(cleaned)


def _json_numbers(text: str) -> list[Number]:
    try:
        data = json.loads(text)
    except ValueError:
        return extract_numbers(text)
    if isinstance(data, dict):  # {"primes": [...]} is a common wrapping
        data = next((v for v in data.values() if isinstance(v, list)), [])
    if isinstance(data, list):
        return [_tidy(v) for v in data if isinstance(v, int | float) and not isinstance(v, bool)]
    return []


def _tidy(value: Number) -> Number:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _parses_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _deliver_code(content: str, kind: ContentKind, intent: Intent, report: _Report) -> Delivered:
    code = unfence(content)
    report.cleaned = code
    tree = parse_python(code)
    if tree is None:
        report.format_match = False
        report.fail(
            f"the code does not parse: {_syntax_error(code)}",
            "Return complete, syntactically valid Python in one fenced block.",
        )
    if kind != ContentKind.CODE:
        report.data_type_match = False
        report.fail(
            f"delivered {kind.value}, not code",
            "Deliver the program itself as Python source, not its output or a description.",
        )
    return Delivered(text=code, code=tree)


def _syntax_error(code: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(code, "<delivered>", "exec", dont_inherit=True)
        except SyntaxError as exc:
            return f"{exc.msg} (line {exc.lineno})"
        except (ValueError, RecursionError, MemoryError) as exc:
            return str(exc)
    return "unknown error"


def _deliver_table(content: str, kind: ContentKind, intent: Intent, report: _Report) -> Delivered:
    cleaned = clean(content, intent)
    report.cleaned = cleaned
    if intent.expected_format == OutputFormat.JSON or classify(cleaned) == ContentKind.JSON:
        return _json_table(cleaned, report)
    rows = _table_rows(cleaned)
    if not rows:
        report.data_type_match = report.format_match = False
        report.fail(
            f"delivered {kind.value}, not a table",
            "Deliver the table itself: a header row, then one row per record.",
        )
        return Delivered(text=cleaned, why_unchecked="no table found")
    first = rows[0]
    if any(isinstance(c, str) and c.strip() and not _is_number(c) for c in first):
        return _tabular(cleaned, [c.strip() for c in first], rows[1:])
    return _tabular(cleaned, [], rows)


def _table_rows(text: str) -> list[list[str]]:
    delim = table_delimiter(text)
    if delim is None:
        return []
    lines = [ln for ln in text.splitlines() if ln.strip() and not set(ln.strip()) <= set("|:-+ ")]
    if delim == "|":
        return [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines]
    return [
        [c.strip() for c in row]
        for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)
    ]


def _is_number(value: Any) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _tabular(
    text: str, header: list[str], body: list[list[Any]], info: dict[str, Any] | None = None
) -> Delivered:
    return Delivered(
        text=text,
        values=_column_values(body, header),
        header=header,
        rows=len(body),
        file_info=info,
    )


def _column_values(body: list[list[Any]], header: list[str]) -> list[Number]:
    """Numbers of the most relevant column: the last one that is entirely numeric.

    The last is chosen because tables like "n, prime" put an index first and the data after.
    """
    width = max((len(r) for r in body), default=0)
    for col in reversed(range(width)):
        cells = [r[col] for r in body if col < len(r)]
        if cells and all(_is_number(c) for c in cells):
            return [_tidy(float(c)) if not isinstance(c, int) else c for c in cells]
    return []


def _json_table(text: str, report: _Report) -> Delivered:
    try:
        data = json.loads(text)
    except ValueError as exc:
        report.format_match = False
        report.fail(f"invalid JSON: {exc}", "Return one valid JSON value and nothing else.")
        return Delivered(text=text, why_unchecked="invalid JSON")
    records = data if isinstance(data, list) else [data]
    header = list(records[0].keys()) if records and isinstance(records[0], dict) else []
    return Delivered(text=text, header=[str(h) for h in header], rows=len(records), records=records)


def _deliver_text(content: str, kind: ContentKind, intent: Intent, report: _Report) -> Delivered:
    cleaned = clean(content, intent)
    if not kind_matches(kind, intent):
        report.data_type_match = False
        report.fail(f"delivered {kind.value}", f"Deliver {intent.data_type.value} as asked.")
    if intent.expected_format == OutputFormat.SINGLE_VALUE:
        values = _values_for(cleaned, intent)
        if not values:
            report.format_match = False
            report.fail("no value found", "State the computed value as a number.")
        return Delivered(text=cleaned, values=values)
    return Delivered(text=cleaned, values=extract_numbers(cleaned), items=text_items(cleaned))


# ---------------------------------------------------------------------------------------
# Documents.


def _deliver_document(result: ActionResult, intent: Intent, report: _Report) -> Delivered:
    wanted = _wanted_extension(intent)
    if not result.files:
        report.data_type_match = report.format_match = False
        report.fail(
            "no file was produced",
            f"Write the {wanted.upper()} file with the python tool and return its path.",
        )
        return Delivered(text=result.content, why_unchecked="no file produced")
    ext = [Path(f).suffix.lower().lstrip(".") for f in result.files]
    info = inspect_document(result.files[ext.index(wanted)] if wanted in ext else result.files[0])
    if info.get("type") != wanted:
        report.format_match = False
        report.fail(
            f"produced a {info.get('type')} file, not {wanted}",
            f"Save the file as .{wanted}.",
        )
    if "error" in info:
        report.data_type_match = False
        report.fail(f"the file cannot be opened: {info['error']}", "Write a valid file.")
        return Delivered(text="", file_info=info, why_unchecked=info["error"])
    return _document_delivered(info)


def _wanted_extension(intent: Intent) -> str:
    file_type = intent.criterion(CriterionKind.FILE_TYPE)
    if file_type is not None and file_type.value:
        return str(file_type.value).lower().lstrip(".")
    return str(intent.expected_format.value)


def _document_delivered(info: dict[str, Any]) -> Delivered:
    if info["type"] in ("xlsx", "xlsm", "csv"):
        rows = info.get("rows", [])
        header = [str(h) for h in info.get("header", [])]
        text = "\n".join(", ".join(str(c) for c in r) for r in rows)
        return _tabular(text, header, rows[1:] if header else rows, info)
    text = str(info.get("text", ""))
    tables = info.get("tables") or ([_text_table(text)] if info["type"] == "pdf" else [])
    for table in tables:
        # A table is read by its columns, like a sheet: an index column ("n") is not data.
        rows = [[str(c).strip() for c in r] for r in table if any(str(c).strip() for c in r)]
        labelled = bool(rows) and not any(_is_number(c) for c in rows[0] if c)
        delivered = _tabular(
            text, rows[0] if labelled else [], rows[1:] if labelled else rows, info
        )
        if delivered.values:
            return delivered
    header = [str(h) for h in info["tables"][0][0]] if info.get("tables") else []
    return Delivered(text=text, values=extract_numbers(text), header=header, file_info=info)


def _text_table(text: str) -> list[list[str]]:
    """Rows of a table laid out as text (what a PDF gives back), or none.

    A table is a line of labels over at least two lines of as many numbers (two or more).
    Without the labels it could as well be one long list wrapped into equal lines, which
    must be read whole, so it is not taken for a table.
    """
    lines = [line.replace(",", " ").split() for line in text.splitlines() if line.strip()]
    best: list[list[str]] = []
    run: list[list[str]] = []
    for i, cells in enumerate(lines + [[]]):
        numeric = len(cells) >= 2 and all(_is_number(c) for c in cells)
        if numeric and (not run or len(cells) == len(run[0])):
            run.append(cells)
            continue
        if len(run) >= 2 and len(run) + 1 > len(best):
            start = i - len(run)
            above = lines[start - 1] if start > 0 else []
            if len(above) == len(run[0]) and not any(_is_number(c) for c in above):
                best = [above] + run
        run = [cells] if numeric else []
    return best


# ---------------------------------------------------------------------------------------
# Criteria.


# A check's outcome: passed (None when code cannot decide) and the detail that says why.
Finding = tuple[bool | None, str]


def _result(criterion: Criterion, passed: bool | None, detail: str) -> CriterionResult:
    return CriterionResult(
        criterion=criterion,
        passed=passed,
        detail=detail,
        checked_by="none" if passed is None else "rule",
    )


def _check(criterion: Criterion, delivered: Delivered, intent: Intent) -> CriterionResult:
    return _result(criterion, *_finding(criterion, delivered, intent))


def _finding(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    if not delivered.checkable:
        if criterion.kind == CriterionKind.FILE_TYPE:
            return _check_file_type(criterion, delivered, intent)
        return False, f"not met: {delivered.why_unchecked}"
    if intent.data_type == DataType.CODE and criterion.kind != CriterionKind.CONTAINS:
        return None, "describes the program's output; code cannot check it"
    checker = _CHECKERS.get(criterion.kind)
    if checker is None:
        return None, "no deterministic check for this criterion"
    return checker(criterion, delivered, intent)


def _stated_count(value: Any) -> int | None:
    try:
        return int(str(value).replace(",", ""))
    except ValueError:
        return None


def _check_count(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    want = _stated_count(criterion.value)
    if want is None:
        return None, f"unreadable count {criterion.value!r}"
    if intent.data_type == DataType.TEXT and _countable_text(criterion, intent):
        got, noun = len(delivered.items), "items"
    elif intent.data_type in (DataType.TEXT, DataType.ANALYSIS, DataType.OTHER):
        return None, "counting items in prose needs a judge"
    elif delivered.rows is not None:
        got, noun = delivered.rows, "rows"
    else:
        got, noun = len(delivered.values), "items"
    if got == want:
        return True, f"{got} {noun}, as asked"
    return False, f"the list has {got} {noun}; deliver exactly {want}"


_PROSE_UNIT_RE = re.compile(r"\b(?:sentences?|paragraphs?|pages?|words?|characters?|minutes?)\b")


def _countable_text(criterion: Criterion, intent: Intent) -> bool:
    """Items of a text list can be counted; sentences or words of prose are a judge's call."""
    return intent.expected_format == OutputFormat.LIST and not _PROSE_UNIT_RE.search(
        criterion.description.lower()
    )


def _check_property(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    if criterion.value == COMPLETE:
        return _check_complete(criterion, delivered, intent)
    name, param = split_property(str(criterion.value))
    if name == "unique" and intent.data_type == DataType.TEXT:
        return _unique_items(delivered)
    verifier = VERIFIERS.get(name)
    if verifier is None:
        return None, f"no verifier for property {name!r}"
    if not delivered.values:
        return False, f"no numbers to check for {name}"
    passed, detail = verifier(delivered.values, param)
    sequence = _sequence_detail(name, param, delivered.values, intent)
    if sequence:
        return False, sequence if passed else f"{detail}; {sequence}"
    return passed, detail


def _check_complete(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    """Every member of the set the request determines is delivered.

    The set is computed here only to count what is missing; the finding gives the numbers
    of items and the range, never the missing members themselves.
    """
    span = intent.criterion(CriterionKind.RANGE)
    bounds = parse_range(span.value) if span is not None else None
    props = [
        str(c.value)
        for c in intent.success_criteria
        if c.kind == CriterionKind.PROPERTY and determines_set(str(c.value))
    ]
    if bounds is not None and bounds[0] is None and any(p == "prime" for p in props):
        bounds = (2.0, bounds[1])  # primes start at 2: "primes below 40" is a closed set
    if bounds is None or bounds[0] is None or bounds[1] is None or not props:
        return None, "the request does not determine a finite set"
    lo, hi = math.ceil(bounds[0]), math.floor(bounds[1])
    members = members_in_range(props, lo, hi)
    if members is None:
        return None, f"the set over {lo}..{hi} is too large to check"
    delivered_set = {v for v in delivered.values if isinstance(v, int) or float(v).is_integer()}
    covered = len(set(members) & {int(v) for v in delivered_set})
    if covered == len(members):
        return True, f"all {len(members)} members of the set are present"
    return (
        False,
        f"{len(members)} items expected, {covered} delivered; the range {lo}..{hi} is not "
        "fully covered",
    )


def _unique_items(delivered: Delivered) -> Finding:
    """No word or phrase of a text list appears twice (case ignored)."""
    if not delivered.items:
        return False, "no items to check for duplicates"
    seen: set[str] = set()
    for item in delivered.items:
        if item.casefold() in seen:
            return False, f"'{item}' appears more than once"
        seen.add(item.casefold())
    return True, f"all {len(seen)} items are distinct"


def _sequence_detail(name: str, param: str | None, values: list[Number], intent: Intent) -> str:
    """Why values are not the first N members of the sequence, or '' if they are.

    'N primes' means the first N primes, unless a range says which ones.
    """
    count = intent.criterion(CriterionKind.COUNT)
    if count is None or intent.criterion(CriterionKind.RANGE) is not None:
        return ""
    n = _stated_count(count.value)
    if n is None:
        return ""
    ordering = intent.criterion(CriterionKind.ORDERING)
    if ordering is not None and str(ordering.value).lower() == "descending":
        values = list(reversed(values))
    return sequence_finding(name, param, values, n)


def _check_ordering(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    direction = str(criterion.value).lower()
    if direction in _WORD_ORDERS:
        return _check_word_order(direction, delivered)
    if direction not in ("ascending", "descending"):
        return None, f"unknown ordering {criterion.value!r}"
    if not delivered.values:
        return None, "no numbers to check the order of"
    return VERIFIERS[direction](delivered.values, None)


_WORD_ORDERS = {"alphabetical", "reverse_alphabetical"}


def _check_word_order(direction: str, delivered: Delivered) -> Finding:
    """Words in dictionary order, ignoring case; names the first pair out of order."""
    items = delivered.items
    if len(items) < 2:
        return None, "fewer than two items to check the order of"
    keys = [item.casefold() for item in items]
    reverse = direction == "reverse_alphabetical"
    label = direction.replace("_", " ")
    for i in range(1, len(keys)):
        if (keys[i] > keys[i - 1]) if reverse else (keys[i] < keys[i - 1]):
            where = f"'{items[i]}' follows '{items[i - 1]}' at position {i + 1}"
            return False, f"not in {label} order: {where}"
    return True, f"the items are in {label} order"


def _check_range(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    if parse_range(criterion.value) is None:
        return None, f"unreadable range {criterion.value!r}"
    if not delivered.values:
        return None, "no numbers to check the range of"
    return VERIFIERS["within_range"](delivered.values, criterion.value)


def _check_value(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    """Compare with the computed value; the message names only what was delivered."""
    try:
        float(criterion.value)
    except (TypeError, ValueError):
        return None, "the value to compare against could not be read"
    if not delivered.values:
        return False, "no value found in the answer"
    got = delivered.values[-1]
    if _close(got, criterion.value):
        return True, f"{format_number(got)} is correct"
    return False, f"the answer {format_number(got)} is not correct"


def _close(got: Number, want: Any) -> bool:
    if isinstance(want, int) and not isinstance(want, bool):
        return got == want
    want_f = float(want)
    return math.isclose(got, want_f, rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE)


def _check_contains(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    value = criterion.value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return _check_given_words(value, delivered, intent)
    if isinstance(value, list):
        return _check_given_list([v for v in value if _is_number(v)], delivered, intent)
    name = str(value)
    if delivered.code is not None:
        defined = {
            n.name
            for n in ast.walk(delivered.code)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        if name in defined:
            return True, f"defines {name}"
        return False, f"{name} is not defined in the code"
    if name.lower() in delivered.text.lower():
        return True, f"mentions {name!r}"
    return None, f"{name!r} not found verbatim; a judge may still accept it"


def _wants_unique(intent: Intent) -> bool:
    return any(
        c.kind == CriterionKind.PROPERTY and str(c.value).lower() == "unique"
        for c in intent.success_criteria
    )


def _check_given_list(given: list[Any], delivered: Delivered, intent: Intent) -> Finding:
    """The answer must be the user's own numbers: sorted and/or deduplicated as asked.

    The message names only delivered items and counts, never the expected arrangement.
    """
    numbers = [_tidy(float(v)) for v in given]
    dedupe = _wants_unique(intent)
    expected = sorted(set(numbers)) if dedupe else sorted(numbers)
    if sorted(delivered.values) == expected:
        return True, "exactly the given numbers"
    missing = [v for v in expected if v not in delivered.values]
    extra = [v for v in delivered.values if v not in numbers]
    parts = []
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        parts.append(f"{len(missing)} of the given numbers {verb} missing")
    if extra:
        parts.append("not in the input: " + ", ".join(format_number(v) for v in extra[:5]))
    if not parts and dedupe:
        parts.append("a number appears more often than a deduplicated list allows")
    elif not parts:
        parts.append(f"{len(delivered.values)} values delivered, {len(numbers)} given")
    return False, "the result is not the given list: " + "; ".join(parts)


def _check_given_words(given: list[str], delivered: Delivered, intent: Intent) -> Finding:
    """The delivered items are the user's own words, no more and no fewer (case ignored)."""
    wanted = [w.strip().casefold() for w in given]
    if _wants_unique(intent):
        wanted = list(dict.fromkeys(wanted))
    got = [item.casefold() for item in delivered.items]
    if sorted(got) == sorted(wanted):
        return True, f"exactly the {len(wanted)} given words"
    foreign = [item for item in delivered.items if item.casefold() not in wanted]
    missing = sum(1 for w in set(wanted) if w not in got)
    parts = [f"{len(wanted)} words expected, {len(got)} delivered"]
    if foreign:
        parts.append("not among the given words: " + ", ".join(f"'{w}'" for w in foreign[:5]))
    if missing:
        parts.append(f"{missing} of the given words left out")
    if not foreign and not missing:
        parts.append("some words appear more often than given")
    return False, "; ".join(parts)


def _check_fields(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    wanted = criterion.value if isinstance(criterion.value, list) else [criterion.value]
    wanted_names = [str(w).strip() for w in wanted if str(w).strip()]
    if not delivered.header:
        if intent.data_type in (DataType.TEXT, DataType.ANALYSIS):
            return None, "no header to compare"
        return False, "no header row found"
    have = {h.strip().lower() for h in delivered.header}
    missing = [w for w in wanted_names if w.lower() not in have]
    if missing:
        header = ", ".join(delivered.header)
        return False, f"missing fields: {', '.join(missing)} (header is {header})"
    return True, f"header has {', '.join(wanted_names)}"


def _check_file_type(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    wanted = str(criterion.value).lower().lstrip(".")
    info = delivered.file_info
    if info is not None:
        if info.get("type") == wanted and "error" not in info:
            return True, _file_summary(info)
        return False, f"expected a readable .{wanted} file, got {info['path']}"
    if intent.data_type == DataType.DOCUMENT or wanted in ("xlsx", "docx", "pdf"):
        return False, f"no .{wanted} file was produced"
    if not delivered.checkable:
        return False, f"not met: {delivered.why_unchecked}"
    kind = classify(delivered.text)
    ok = {"csv": {ContentKind.TABLE, ContentKind.NUMBERS}, "json": {ContentKind.JSON}}
    if wanted == "json" and _parses_json(delivered.text):
        return True, "valid JSON"
    if kind in ok.get(wanted, set()):
        return True, f"content is {wanted.upper()}"
    return False, f"the content is {kind.value}, not {wanted.upper()}"


def _file_summary(info: dict[str, Any]) -> str:
    kind = info["type"]
    if kind in ("xlsx", "xlsm"):
        return f"{kind} with {len(info.get('rows', []))} non-empty rows"
    if kind == "docx":
        return f"docx with {info.get('n_paragraphs', 0)} paragraphs"
    if kind == "pdf":
        return f"pdf with {info.get('n_pages', 0)} pages"
    return f"{kind} file"


def _check_layout(criterion: Criterion, delivered: Delivered, intent: Intent) -> Finding:
    value = criterion.value
    if isinstance(value, dict) and isinstance(value.get("field_types"), dict):
        return _check_field_types(value["field_types"], delivered)
    if value == "one_per_line":
        return _check_one_per_line(delivered, intent)
    if value == "value_only":
        return _check_value_only(delivered)
    return None, f"no deterministic check for layout {value!r}"


def _check_one_per_line(delivered: Delivered, intent: Intent) -> Finding:
    """Each item stands on a line of its own, judged on the reply as sent (or the file)."""
    numbers_in_file = delivered.file_info is not None and bool(delivered.values)
    if intent.data_type == DataType.NUMBERS or numbers_in_file:
        lines = [ln for ln in delivered.raw.splitlines() if NUMBER_RE.search(ln)]
        per_line = [len(NUMBER_RE.findall(strip_enumeration(ln))) for ln in lines]
        worst = max(per_line, default=0)
        if len(delivered.values) > 1 and (worst > 1 or len(lines) < 2):
            return False, f"not one per line: a line holds {worst} items"
        return True, f"{len(lines)} lines, one item each"
    lines = item_lines(delivered.raw)
    if len(lines) == 1 and len(text_items(lines[0])) > 1:
        return False, "not one per line: all items share one line"
    if not lines:
        return False, "no items delivered"
    return True, f"{len(lines)} lines, one item each"


def _check_value_only(delivered: Delivered) -> Finding:
    """The reply is the bare value: no sentence, unit-free prose or working around it."""
    text = delivered.raw.strip().strip("*_`").strip().rstrip(".")  # markdown bold is no prose
    if NUMBER_RE.fullmatch(text) or re.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return True, "the reply is the value alone"
    words = len(text.split())
    return False, f"the reply has {words} words; only the value was asked for"


_TYPE_CHECKS: dict[str, Any] = {
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "list": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
}


def _check_field_types(types: dict[str, Any], delivered: Delivered) -> Finding:
    """Each named field holds the JSON type the request named, in every record."""
    records = [r for r in delivered.records if isinstance(r, dict)]
    if not records:
        return None, "no JSON records to check field types on"
    for i, record in enumerate(records, start=1):
        for name, kind in types.items():
            check = _TYPE_CHECKS.get(str(kind))
            key = next((k for k in record if str(k).lower() == str(name).lower()), None)
            if check is None or key is None:
                continue  # a missing field is the fields criterion's finding
            if not check(record[key]):
                got = type(record[key]).__name__
                return False, f"{name} is a {got} in record {i}, not a {kind}"
    return True, "every named field has the type asked for"


_CHECKERS = {
    CriterionKind.COUNT: _check_count,
    CriterionKind.PROPERTY: _check_property,
    CriterionKind.ORDERING: _check_ordering,
    CriterionKind.RANGE: _check_range,
    CriterionKind.VALUE: _check_value,
    CriterionKind.CONTAINS: _check_contains,
    CriterionKind.FIELDS: _check_fields,
    CriterionKind.FILE_TYPE: _check_file_type,
    CriterionKind.LAYOUT: _check_layout,
}


def _unverified_value(delivered: Delivered) -> CriterionResult:
    criterion = Criterion(
        kind=CriterionKind.VALUE, value=None, description="the computed value is correct"
    )
    found = format_number(delivered.values[0]) if delivered.values else "nothing"
    return _result(criterion, None, f"answered {found}; no exact value to compare against")


# What to do differently, per failed criterion's kind. Suggestions become the next attempt's
# guidance, so none of them may name a value the rules computed: only the value the request
# stated and the finding, never a description (a value criterion's holds the answer).
_SUGGESTIONS = {
    CriterionKind.COUNT: "Deliver exactly {value} {subject}: {detail}.",
    CriterionKind.PROPERTY: "Every item must satisfy '{value}' ({detail}); recompute the list.",
    CriterionKind.ORDERING: "Sort the values in {value} order.",
    CriterionKind.RANGE: "Keep only values within the range the request states.",
    CriterionKind.VALUE: "Recompute the value (use the python tool for exact arithmetic) and "
    "state it.",
    CriterionKind.FIELDS: "Use exactly these column names in the header: {value}.",
    CriterionKind.FILE_TYPE: "Write a .{value} file with the python tool and return its path.",
    CriterionKind.CONTAINS: "Make sure the result includes {value}.",
}


def _suggest(res: CriterionResult, intent: Intent) -> str:
    value = res.criterion.value
    if res.criterion.kind == CriterionKind.CONTAINS and isinstance(value, list):
        return "Deliver exactly the numbers the request gives, rearranged as it asks."
    template = _SUGGESTIONS.get(res.criterion.kind, "Address the failed requirement.")
    return template.format(value=value, subject=intent.subject or "items", detail=res.detail)

"""Decide what delivered content *is*, with code rather than a model.

The loop's central failure is a model answering "give me the primes" with a program that
would print them. Telling code from data must therefore be reliable and cheap, so it is done
with ``ast``/``json``/``csv``-style parsing and token counts, never by asking a model.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
import warnings

from ..state.models import ActionResult, ContentKind, DataType, Intent, Observation
from ._text import NUMBER_RE, Number, fenced_blocks, strip_enumeration, to_number, unfence

# Characters allowed between two numbers of the same run.
_SEPARATOR_RE = re.compile(r"[\s,;\[\](){}]*")

_CODE_LANGS = {"python", "py", "python3", "js", "javascript", "ts", "java", "c", "cpp", "go"}
_CODE_LINE_RE = re.compile(
    r"^\s*(def \w+\(|class \w+[(:]|import \w|from [\w.]+ import |for .+ in .+:\s*$|"
    r"while .+:\s*$|if .+:\s*$|return\b|print\(|\w+\s*=\s*\[.*for )",
)
# Statements that only a program contains; an expression such as "2, 3, 5" is data.
_CODE_NODES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.For,
    ast.While,
    ast.If,
    ast.With,
    ast.Try,
    ast.Import,
    ast.ImportFrom,
    ast.Return,
)
_PURE_NUMBERS_RE = re.compile(r"[\s\d.,;\[\]()eE+-]+")
TABLE_DELIMITERS = (",", "\t", "|", ";")


def extract_numbers(text: str) -> list[Number]:
    """Return the longest run of numbers separated only by list punctuation.

    Prose around a list ("The first 5 primes are: 2, 3, 5, 7, 11.") and enumeration markers
    ("1. 2") are not part of the run. Ties go to the later run, because a model that prints
    a list twice usually corrects itself the second time.
    """
    cleaned = strip_enumeration(text)
    best: list[Number] = []
    run: list[Number] = []
    last_end: int | None = None
    for match in NUMBER_RE.finditer(cleaned):
        gap = cleaned[last_end : match.start()] if last_end is not None else ""
        if last_end is None or not _SEPARATOR_RE.fullmatch(gap):
            run = []
        run.append(to_number(match.group()))
        last_end = match.end()
        if len(run) >= len(best):
            best = run  # aliasing is intended: the run keeps growing in place
    return best


def parse_python(text: str) -> ast.Module | None:
    """Parse Python source, or None; compiler warnings are silenced, not raised.

    Non-code such as "1.e" makes the compiler warn, and under warnings-as-errors (our pytest
    config) that warning would surface as an exception from a mere classification.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None


def _python_is_code(text: str) -> bool:
    """True when the text parses as Python and contains a statement only a program has."""
    tree = parse_python(text)
    if tree is None:
        return False
    for node in ast.walk(tree):
        if isinstance(node, _CODE_NODES):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "print":
                return True
    statements = [n for n in tree.body if not isinstance(n, ast.Expr)]
    return len(tree.body) >= 2 and bool(statements)


def _looks_like_code_lines(text: str) -> bool:
    """Fallback for code that does not parse (truncated, or mixed with prose)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    hits = sum(1 for ln in lines if _CODE_LINE_RE.match(ln))
    return hits >= 2 or (hits == 1 and len(lines) <= 3)


def _token_counts(text: str) -> tuple[int, int]:
    """Count (numeric, other) word tokens; tokenize is used so "x2" is one name token."""
    numeric = other = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                if tok.type == tokenize.NUMBER:
                    numeric += 1
                elif tok.type == tokenize.NAME:
                    other += 1
    except (tokenize.TokenError, IndentationError, SyntaxError):
        words = re.findall(r"[^\s,;\[\]()]+", text)
        numeric = sum(1 for w in words if NUMBER_RE.fullmatch(w.rstrip(".:")))
        other = len(words) - numeric
    return numeric, other


def _is_numbers(text: str) -> bool:
    numeric, other = _token_counts(strip_enumeration(text))
    if numeric == 0:
        return False
    run = len(extract_numbers(text))
    return other == 0 or numeric >= 2 * other or (run >= 3 and run >= other)


def table_delimiter(text: str) -> str | None:
    """Return the delimiter when >= 2 lines share the same non-zero count of it."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    lines = [ln for ln in lines if not re.fullmatch(r"[\s|:+-]+", ln)]  # markdown rule rows
    if len(lines) < 2:
        return None
    for delim in TABLE_DELIMITERS:
        counts = {ln.count(delim) for ln in lines}
        if len(counts) == 1 and counts.pop() > 0:
            return delim
    return None


def _is_table(text: str) -> bool:
    delim = table_delimiter(text)
    if delim is None:
        return False
    if delim in ("|", "\t"):
        return True
    first = [c.strip() for c in text.strip().splitlines()[0].split(delim)]
    # A header row is what separates a table from rows of bare numbers.
    return any(c and not NUMBER_RE.fullmatch(c) for c in first)


def _json_kind(text: str) -> ContentKind | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, bool) or value is None:
        return ContentKind.JSON
    if isinstance(value, int | float):
        return ContentKind.NUMBERS
    if isinstance(value, list) and value and all(_is_plain_number(v) for v in value):
        return ContentKind.NUMBERS
    if isinstance(value, dict | list):
        return ContentKind.JSON
    return None


def _is_plain_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def classify(content: str) -> ContentKind:
    """Classify content as numbers, code, table, JSON, text or empty.

    A fenced block is judged by its body, except that a fence tagged with a programming
    language whose body is a program is code: a list literal in a python fence is data.
    """
    text = content.strip()
    if not text:
        return ContentKind.EMPTY
    blocks = fenced_blocks(text)
    if any(lang in _CODE_LANGS and _python_is_code(body) for lang, body in blocks):
        return ContentKind.CODE
    body = unfence(text)
    if not body:
        return ContentKind.EMPTY
    if _PURE_NUMBERS_RE.fullmatch(strip_enumeration(body)) and NUMBER_RE.search(body):
        return ContentKind.NUMBERS  # fast path: long lists need no parsing
    json_kind = _json_kind(body)
    if json_kind is not None:
        return json_kind
    if _python_is_code(body) or _looks_like_code_lines(body):
        return ContentKind.CODE
    if _is_table(body):
        return ContentKind.TABLE
    if _is_numbers(body):
        return ContentKind.NUMBERS
    return ContentKind.TEXT


# Content an analysis can be written as; text accepts code besides, and anything goes for other.
_READABLE = {ContentKind.TEXT, ContentKind.NUMBERS, ContentKind.TABLE, ContentKind.JSON}
_COMPATIBLE: dict[DataType, set[ContentKind]] = {
    DataType.NUMBERS: {ContentKind.NUMBERS},
    DataType.CODE: {ContentKind.CODE},
    DataType.TABLE: {ContentKind.TABLE, ContentKind.JSON},
    DataType.DOCUMENT: {ContentKind.FILE},
    DataType.ANALYSIS: _READABLE,
    DataType.TEXT: _READABLE | {ContentKind.CODE},
    DataType.OTHER: _READABLE | {ContentKind.CODE, ContentKind.FILE},
}


def kind_matches(kind: ContentKind, intent: Intent, numbers_found: int = 0) -> bool:
    """Whether a content kind can satisfy the intent's data type.

    Numbers wrapped in prose or in a JSON array still count as numbers when some were found:
    cleanup can recover them, and rejecting them would punish harmless chatter.
    """
    if kind in _COMPATIBLE.get(intent.data_type, set()):
        return True
    if intent.data_type == DataType.NUMBERS:
        return kind in (ContentKind.TEXT, ContentKind.JSON, ContentKind.TABLE) and numbers_found > 0
    return False


def snippet(text: str, limit: int) -> str:
    """Head and tail of long text, so both the start and a truncated end stay visible."""
    if len(text) <= limit:
        return text
    half = max(limit // 2 - 3, 1)
    return f"{text[:half]} ... {text[-half:]}"


def observe(result: ActionResult, intent: Intent, snippet_chars: int = 400) -> Observation:
    """Describe what an action produced, for the observation shown to the next step."""
    content = result.content or ""
    notes: list[str] = []
    if not result.success:
        kind = ContentKind.ERROR
        notes.append(f"action failed: {result.error or 'no error message'}")
    elif result.files and intent.data_type == DataType.DOCUMENT:
        kind = ContentKind.FILE
    else:
        kind = classify(content)
    numbers = extract_numbers(content) if kind != ContentKind.CODE else []
    if result.truncated:
        notes.append("content was truncated")
    if result.files:
        notes.append(f"files produced: {', '.join(result.files)}")
    match = result.success and kind_matches(kind, intent, len(numbers))
    if result.success and not match:
        notes.append(f"delivered {kind.value}, expected {intent.data_type.value}")
    return Observation(
        content_kind=kind,
        snippet=snippet(content, snippet_chars),
        length=len(content),
        numbers_found=len(numbers),
        files=list(result.files),
        intent_match=match,
        notes=notes,
    )


# A line that is a list item: a bullet or an enumeration marker in front.
_ITEM_MARK_RE = re.compile(r"^\s*(?:\d+[.):]\s+|[-*•]\s+)")
_ITEM_SPLIT_RE = re.compile(r"\s*[,;]\s*(?:and\s+)?|\s+and\s+")


# Lines a model wraps around a list: "Sure! Here are three:", "Let me know if ...".
_CHATTER_RE = re.compile(
    r"^\s*(?:sure|certainly|of course|okay|ok|here (?:are|is|you go)|below (?:are|is)|"
    r"i hope|hope this|let me know|enjoy|these are|the (?:list|answer|result) is)\b",
    re.I,
)
# "The sorted words are apple, fig and pear": the lead-in ends at the verb before the list.
_LEAD_IN_RE = re.compile(r"^[^,]*?\b(?:are|is)\s+(?=[^,]*,)", re.I)


def _bare_item(text: str) -> str:
    return _ITEM_MARK_RE.sub("", text).strip().strip("\"'`*").rstrip(".!").strip()


def item_lines(text: str) -> list[str]:
    """The lines of a reply that carry items: marked lines if any, else every non-empty line.

    Marked lines win because a model wraps its list in prose ("Here are five:", "Enjoy!"); a
    first line that ends with a colon is an introduction, not an item.
    """
    lines = [ln for ln in unfence(text).splitlines() if ln.strip()]
    marked = [ln for ln in lines if _ITEM_MARK_RE.match(ln)]
    if len(marked) >= 2:
        return marked
    if len(lines) >= 2 and (lines[0].rstrip().endswith(":") or _CHATTER_RE.match(lines[0])):
        lines = lines[1:]
    if len(lines) >= 2 and _CHATTER_RE.match(lines[-1]):
        lines = lines[:-1]
    return lines


def text_items(text: str) -> list[str]:
    """Split a delivered list of words or phrases into its items.

    Several item lines are one item each; a single line is split on commas, semicolons and
    "and", after any introduction ending in a colon ("Sorted: apple, fig, pear").
    """
    lines = item_lines(text)
    if len(lines) >= 2:
        items = [_bare_item(ln) for ln in lines]
    elif lines:
        first = lines[0]
        line = first.rsplit(":", 1)[-1] if ":" in first else _LEAD_IN_RE.sub("", first, count=1)
        items = [_bare_item(part) for part in _ITEM_SPLIT_RE.split(line.strip().rstrip("."))]
    else:
        items = []
    return [item for item in items if item]

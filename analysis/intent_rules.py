"""Keyword and pattern intent analysis: what the user wants, decided without a model.

The model's intent is useful but unreliable in exactly the places that matter for
validation: it drops "1000" from "the first 1000 primes", or calls a request for numbers a
request for code. These rules extract the checkable facts (count, property, range, value,
fields, file type) so a model can never lose them, and :func:`merge_intents` combines both.

Range convention: bounds are inclusive integers. "between A and B" is [A, B]; "below /
under / less than N" is [None, N - 1]; "up to / at most N" is [None, N]; "above / over /
greater than / more than N" is [N + 1, None]; "at least N" is [N, None]. None is unbounded.

Value convention: a VALUE criterion holds an int when the answer is exact (integer
arithmetic, sums of series, letter counts) and a float otherwise (division, unit
conversion); the validator compares ints exactly and floats within 0.5 % (absolute 0.01 near
zero). Its description names the quantity, never the value: descriptions reach prompts.

Completeness convention: a set property with a closed range and no count ("the primes
between 100 and 150") asks for the whole set. That is the PROPERTY ``complete``; the
validator computes the set to count what is missing, and no criterion carries its members.
A count the model reads into such a request is dropped (see :func:`merge_intents`).

Layout (LAYOUT criteria): ``one_per_line``, ``value_only`` ("only the number"), and
``{"field_types": {...}}`` for JSON fields whose simple type the request names.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import math
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from text_to_num import alpha2digit

from ..state.models import Criterion, CriterionKind, DataType, Intent, OutputFormat
from . import _arith, families
from ._text import NUMBER_RE, Number, by_word, format_number, to_number
from .content import extract_numbers
from .verifiers import COMPLETE, determines_set, expected_sequence

# ---------------------------------------------------------------------------------------
# Normalisation: number words and thousands separators become digits.

_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million"
).split()
_NUM_WORD = r"(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_NUM_RUN_RE = re.compile(
    rf"\b(?:an?\s+(?=hundred|thousand|million))?{_NUM_WORD}"
    rf"(?:(?:[\s-]+|(?:(?<=hundred)|(?<=thousand))\s+and\s+){_NUM_WORD})*\b"
)
# "1,000 primes" but not the list "100,200,300".
_THOUSANDS_RE = re.compile(r"(?<![\d,])\d{1,3}(?:,\d{3})+(?=\s+[a-z])")


def _digits(run: str) -> str:
    """Digits for a run of number words (text2num; "five five" stays two numbers)."""
    return str(alpha2digit(re.sub(r"^an?\s+", "", run), "en", threshold=0))


# "the attached sales.csv", "from data.xlsx": a file the user gives is input, not the format
# they want back ("save it as primes.xlsx" keeps its extension: that names the output).
_INPUT_FILE_RE = re.compile(
    r"\b(attached|from|in|using|read|reading|open|load|given|uploaded)\s+"
    r"((?:the\s+)?(?:attached\s+|uploaded\s+)?(?:file\s+)?)"
    r"[\w\-]+\.(?:csv|tsv|xlsx|xls|docx|pdf|json|txt)\b"
)


def normalize(request: str) -> str:
    """Lower-case the request and write every number with plain digits."""
    text = request.lower().replace("’", "'")
    text = _INPUT_FILE_RE.sub(lambda m: f"{m.group(1)} {m.group(2)}input file", text)
    text = _THOUSANDS_RE.sub(lambda m: m.group().replace(",", ""), text)
    return _NUM_RUN_RE.sub(lambda m: _digits(m.group()), text)


# ---------------------------------------------------------------------------------------
# Rule tables. Every pattern is written against the normalised (lower-case, digits) request;
# a table lists (pattern, what it names), the more specific patterns first.

_T = TypeVar("_T")
_Table = tuple[tuple[re.Pattern[str], _T], ...]


def _table(*rows: tuple[str | re.Pattern[str], _T]) -> _Table[_T]:
    return tuple((re.compile(pattern), name) for pattern, name in rows)


def _first_named(text: str, table: _Table[_T]) -> _T | None:
    """The name of the first pattern that occurs in the text."""
    return next((name for pattern, name in table if pattern.search(text)), None)


def _first_match(text: str, patterns: tuple[re.Pattern[str], ...]) -> re.Match[str] | None:
    """The match of the first pattern that occurs in the text."""
    return next((m for pattern in patterns for m in [pattern.search(text)] if m), None)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What the reply is: a document, code, an analysis, a table, numbers, a single value.
_DOCUMENTS = _table(
    (r"\b(?:excel|xlsx|spreadsheet|workbook)\b", OutputFormat.XLSX),
    (r"\b(?:docx|word (?:document|doc|file)|ms word|microsoft word|in word)\b", OutputFormat.DOCX),
    (r"\bpdf\b", OutputFormat.PDF),
)
_JSON_RE = re.compile(r"\bjson\b")
_NAMED_FORMATS = _table((r"\bcsv\b", OutputFormat.CSV), (_JSON_RE, OutputFormat.JSON))
_NO_CODE_RE = re.compile(
    r"\b(?:no|not|without|don't|do not|never)\b(?:\s+\w+){0,3}?\s+"
    r"(?:code|program|script|function)s?\b"
)
_CODE_RE = re.compile(
    r"\b(?:write|implement|create|build|give me|show me|generate|develop|define|provide|need|"
    r"want|make)\b[^.?!]*?\b(?:function|class|script|program|method|module|code|snippet|"
    r"decorator|unit tests?|cli)\b|\bpython (?:code|function|script|program|class)\b|\bdef \w+"
)
_STAT_WORDS = r"average|mean|median|count|total|maximum|minimum"
_ANALYSIS_RE = re.compile(
    rf"\b(?:analy[sz]e|analysis|statistics|summari[sz]e)\b|\b(?:{_STAT_WORDS}|sum|max|min)\b"
    r"[^.?!]*\b(?:columns?|dataset|data set|data|file|sheet|records|rows|entries|lines)\b"
)
_STAT_RE = re.compile(rf"\b(?:{_STAT_WORDS}|how many)\b")
_TABLE_RE = re.compile(r"\b(?:table|tabular|csv|tsv)\b")
_LIST_WORD_RE = re.compile(r"\b(?:list|bullets?|(?:one|1) per line)\b")
_HOW_MANY_RE = re.compile(r"\bhow (?:many|much)\b")
_COMPUTE_RE = re.compile(
    r"\b(?:what is|what's|calculate|compute|evaluate|solve|how much is|work out|multiply|"
    r"divide|subtract|add up|add)\b|=\s*\??\s*$"
)
_NUMBERS_WORD_RE = re.compile(r"\b(?:numbers|integers|natural numbers)\b")

# How it is laid out.
_PER_LINE_RE = re.compile(
    r"\b(?:(?:one|1|each)\s+(?:\w+\s+)?(?:per|on (?:a|its own|each|a separate|a new)) line|"
    r"(?:each|every) (?:\w+ )?on (?:its own|a (?:separate|new)) line|"
    r"(?:one|1) (?:\w+ )?per row|line by line|separated by newlines|newline[- ]separated)\b"
)
_VALUE_ONLY_RE = re.compile(
    r"\b(?:only|just)\s+(?:give\s+|reply\s+with\s+|return\s+|output\s+)?(?:me\s+)?"
    r"(?:the\s+)?(?:final\s+)?(?:number|value|answer|result|digits?|integer)\b(?!s)|"
    r"\bnothing (?:else|but the (?:number|value|answer))\b|"
    r"\bno (?:explanation|words|prose|other text|working)\b|\bwithout (?:any )?explanation\b"
)

# How many items, and in what order. Number families (primes, squares, multiples of K, ...)
# bring their own patterns, see analysis/families; "unique" is a property of any list.
_DEDUPE = r"dedupe|de-?duplicate|remove (?:the |any |all )?duplicates|unique|distinct"
_UNIQUE_RE = re.compile(rf"\b(?:{_DEDUPE}|no duplicates|without duplicates)\b")
_DEDUPE_TASK_RE = re.compile(rf"\b(?:{_DEDUPE})\b")
_SORT_TASK_RE = re.compile(r"\b(?:sort|order|arrange|rank)\b")
_FIRST_RE = re.compile(r"\b(?:first|top|initial)\s+(\d+)\b")
_COUNT_NOUNS = (
    r"(?:primes?|prime numbers?|numbers?|integers?|fibonacci|squares?|cubes?|multiples?|even|odd|"
    r"triangular|terms?|values?|items?|elements?|rows?|entries|entry|words?|names?|ideas?|"
    r"examples?|facts?|sentences?|lines?|paragraphs?|points?|reasons?|tips?|questions?|"
    r"records?|steps?|pages?|bullets?)"
)
_COUNT_RE = re.compile(rf"\b(\d+)\s+(?:[a-z-]+\s+){{0,2}}?({_COUNT_NOUNS})\b")
# "list 5 fruits", "name 3 rivers in europe": a verb that asks for items, then their number.
_ASKED_COUNT_RE = re.compile(
    r"\b(?:list|name|give(?:\s+me)?|suggest|recommend|provide|generate|write(?:\s+down)?|"
    r"tell\s+me|share|pick|choose|come up with|brainstorm|enumerate|output|print|"
    r"(?:table|csv|list|array|spreadsheet|sheet)\s+(?:of|with|containing|listing))\s+"
    r"(?:me\s+|us\s+)?(?:exactly\s+)?(\d+)\s+(?:[a-z-]+\s+){0,2}?([a-z][a-z-]*)\b"
)
# Units that are not items of a list: a "50 word summary" is one text, not fifty items.
_PROSE_UNITS = frozenset(
    unit + plural
    for unit in ("sentence", "paragraph", "page", "word", "minute", "character")
    for plural in ("", "s")
)
# A number after one of these words bounds a range or parametrises a property.
_NOT_COUNT_BEFORE = _words(
    "of to below under than and between from over above by is at through until till within "
    "most least"
)
_BIG, _SMALL = r"(?:largest|biggest|highest)", r"(?:smallest|lowest)"
_ORDERS = _table(
    (rf"\b(?:descending|decreasing|{_BIG} first|reverse order|{_BIG} to {_SMALL})\b", "descending"),
    (rf"\b(?:ascending|increasing|sorted|sort|{_SMALL} first|{_SMALL} to {_BIG})\b", "ascending"),
)
_SOME_RE = re.compile(r"\b(?:some|a few|any|several|examples? of|a sample of|random|a couple)\b")

# Given words to rearrange, and letters to count in a word.
_ALPHA_RE = re.compile(r"\b(?:alphabetical(?:ly)?|alphabeti[sz]e|a\s*(?:-|to)\s*z|lexicographic)")
_WORD_ORDERS = _table(
    (
        r"\b(?:reverse alphabetical(?:ly)?|reverse[- ]alphabetic(?:al)? order|z\s*(?:-|to)\s*a|"
        r"(?:descending|backwards?) alphabetical(?:ly)?|alphabetical(?:ly)? (?:in )?(?:descending|"
        r"reverse|backwards?)(?: order)?)\b",
        "reverse_alphabetical",
    ),
    (_ALPHA_RE, "alphabetical"),
)
_WORDS_INTRO_RE = re.compile(
    r"(?:\b(?:these|the following|this list of|the)\s+(?:\w+\s+)?(?:words|names|items|"
    r"terms|fruits|animals|cities|countries|colou?rs)\b|:)\s*(.+)$",
    re.S,
)
# "... pear, apple and fig alphabetically": where the words end and the instruction resumes.
_ORDER_TAIL_RE = re.compile(
    r"\s+(?:alphabetical(?:ly)?|in\s+(?:\w+\s+){0,3}order|from\s+a\s+to\s+z|by\s+\w+|"
    r"(?:a|z)\s*(?:-|to)\s*(?:z|a))\b.*$",
    re.I | re.S,
)
_GIVEN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]*(?:\s[A-Za-z][A-Za-z'-]*){0,2}")
_LETTER_ASK_RE = re.compile(r"\b(?:how many|count|number of|tally)\b")
_LETTER_TARGETS = (
    re.compile(r"\b(vowels?|consonants?)\b"),
    re.compile(r"\b(?:letters?|characters?|chars?)\s+['\"]?([a-z])['\"]?(?![a-z])"),
    re.compile(r"(?<![a-z'])['\"]?([a-z])['\"]?(?:'s|s)\s+(?:are|is|in|does|do|appear)\b"),
    re.compile(r"\b(?:how many|count(?: the)?|number of)\s+['\"]([a-z])['\"]"),
)
_LETTER_WORDS = (
    re.compile(r"['\"“‘]([a-z][a-z -]{1,60}?)['\"”’](?:\s|[?.!,]|$)"),
    re.compile(
        r"\b(?:in|of|within)\s+(?:the\s+)?(?:word|name|string|term)?\s*([a-z]{2,})\b(?!.*\bin\b)"
    ),
    re.compile(r"\bdoes\s+(?:the\s+word\s+)?([a-z]{2,})\s+(?:have|contain)\b"),
)
_VOWELS = frozenset("aeiou")

# Ranges: a span of inputs ("for x from 1 to 10"), or bounds on the values asked for.
_DOMAIN_SPAN_RE = re.compile(
    r"\b(?:for\s+(?:each\s+|every\s+|all\s+)?[a-z]\w*\s+(?:from|in|between)\s+"
    r"|(?:integers|numbers|values)\s+(?:from\s+)?)"
    r"(-?\d+)\s*(?:to|through|thru|and|-|\.\.)\s*(-?\d+)\b"
)
_TRANSFORM_RE = re.compile(r"\b(?:squares?|cubes?|factorials?|doubles?)\s+of\b")
_BETWEEN_RE = re.compile(r"\b(?:between|from)\s+(-?\d+)\s+(?:and|to|through|-)\s+(-?\d+)\b")
# (the words before the bound, the space they allow before it, which bound, what to add)
_BOUNDS = tuple(
    (re.compile(rf"\b(?:{words}){space}(-?\d+)"), side, shift)
    for words, space, side, shift in (
        ("below|under|less than|smaller than|lower than", r"\s+", "hi", -1),
        ("up to|at most|no more than|not exceeding|<=", r"\s*", "hi", 0),
        ("above|over|greater than|more than|larger than|bigger than", r"\s+", "lo", 1),
        ("at least|no less than|>=", r"\s*", "lo", 0),
    )
)

# Fields of a table or JSON object, and the simple types the request gives them.
_FIELD_LISTS = (
    re.compile(
        r"\b(?:with|having|containing|including)\s+(?:the\s+|two\s+|\d+\s+)?"
        r"(?:columns?|fields?|headers?|keys?|properties)\s*(?:named|called)?\s*[:=]?\s*(.+)"
    ),
    re.compile(r"\b(?:columns?|fields?|headers?|keys?)\s*[:=]\s*(.+)"),
    re.compile(r"\b(?:columns?|fields?|keys?)\s+([\w\"'`]+(?:\s*,\s*[\w\"'`]+)+.*)"),
)
_FIELD_STOP_RE = re.compile(
    r"[.;!?\n(]|\b(?:in|for|to|from|sorted|as|that|where|using|with|on|into|then|each|"
    r"per|please|which)\b"
)
_FIELD_SPLIT_RE = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s*/\s*")
_TYPE_WORDS = by_word(
    {
        "number": "number numeric integer int float",
        "string": "string text str",
        "list": "list array",
        "boolean": "boolean bool",
    }
)
_TYPE_WORD = r"(?:" + "|".join(sorted(_TYPE_WORDS, key=len, reverse=True)) + r")"
_FIELD_TYPES = (
    re.compile(rf"\b([a-z_]\w*)\s*\(\s*(?:an?\s+)?({_TYPE_WORD})\s*\)"),
    re.compile(rf"\b([a-z_]\w*)\s+(?:as|is|being)\s+(?:an?\s+)?({_TYPE_WORD})\b"),
    re.compile(rf"\b([a-z_]\w*)\s*:\s*({_TYPE_WORD})\b"),
)
_TYPE_NOTE_RE = re.compile(
    rf"\s*\(\s*(?:an?\s+)?{_TYPE_WORD}\s*\)|\s+(?:as|being)\s+(?:an?\s+)?{_TYPE_WORD}\b|"
    rf"(?<=\w):\s*{_TYPE_WORD}\b"
)

# Names the code must define.
_FUNC_NAME_RE = re.compile(
    r"\b(?:function|method|def)\s+(?:called\s+|named\s+)?`?([A-Za-z_]\w*)`?|"
    r"`?\b([A-Za-z_]\w*)\(([^()]*)\)"
)
_BUILTIN_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist)
_CLASS_NAME_RE = re.compile(r"\bclass\s+(?:called\s+|named\s+)?`?([A-Z]\w*)")
_FENCE_RE = re.compile(r"```[A-Za-z0-9_+-]*[ \t]*\n(.*?)```", re.DOTALL)
_LISTED_DEF_RE = re.compile(
    r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)[ \t]*[(:]", re.MULTILINE
)
# Words that follow "function" or "method" in a sentence without naming one.
_PROSE_WORDS = _words(
    "a an the that which to in is are was below above here there should must will can may "
    "takes returns accepts given shown defined following signature body and or with for of on "
    "it its this so as by from definition"
)

# Values the request lets us compute.
_AGG_RE = re.compile(r"\b(sum|product|average|mean|total|add up)\s+(?:of\b)?(.*)")
_AGG_RANGE_RE = re.compile(
    r"^\s*(?:all\s+|every\s+|each\s+)?(?:the\s+)?(?:(?:natural|whole|positive)\s+)?"
    r"(?:numbers?|integers?)?\s*"
    r"(?:from\s+|between\s+)?(-?\d+)\s*(?:to|through|and|-|\.\.)\s*(-?\d+)\b"
)
_AGG_FIRST_RE = re.compile(r"^\s*(?:all\s+)?(?:the\s+)?first\s+(\d+)\s+(.*)")

# Words that open a request without naming what it is about: not part of its subject.
_LEAD_WORDS_RE = re.compile(
    r"^(?:(?:please|can you|could you|would you|i want|i need|i'd like|give me|show me|tell me|"
    r"what is|what's|what are|who is|how do i|explain|describe|about|"
    r"write|list|calculate|compute|create|make|generate|produce|find|get|return|provide|"
    r"put|me|a|an|the|some|of|to|and)\b\s*)+"
)


# ---------------------------------------------------------------------------------------
# Findings: every fact the rules can extract, before it becomes an Intent.


@dataclass
class _Findings:
    text: str
    original: str
    document: OutputFormat | None = None
    wants_code: bool = False
    properties: list[str] = field(default_factory=list)
    k: int | None = None
    count: int | None = None
    ordering: str | None = None
    bounds: list[int | None] | None = None
    fields: list[str] = field(default_factory=list)
    given: list[Number] = field(default_factory=list)
    sort_task: bool = False
    value: Number | None = None
    value_label: str = ""
    aggregate: bool = False
    conversion: tuple[float, str, str] | None = None
    names: list[str] = field(default_factory=list)
    count_noun: str = ""
    words: list[str] = field(default_factory=list)
    word_order: str | None = None
    per_line: bool = False
    value_only: bool = False
    field_types: dict[str, str] = field(default_factory=dict)
    complete: bool = False


def _find_properties(text: str) -> tuple[list[str], int | None]:
    """Property names in the request, and the parameter of a family that takes one.

    The 7 of "multiples of 7" is the parameter; parametrised families come last, after
    "unique", so the order of criteria stays what it always was.
    """
    ranked = families.ordered()
    found = [f.name for f in ranked if not f.needs_param and re.search(f.pattern, text)]
    if _UNIQUE_RE.search(text):
        found.append("unique")
    params = [
        (f.name, int(m.group(1)))
        for f in ranked
        if f.needs_param and (m := re.search(f.pattern, text))
    ]
    found += [f"{name}:{k}" for name, k in params]
    return found, params[0][1] if params else None


def _find_count(text: str) -> tuple[int, str] | None:
    """The number of items the request's own words ask for, and what they are called."""
    text = _PER_LINE_RE.sub(" ", text)  # "one per line" is a layout, not a count of lines
    first = _FIRST_RE.search(text)
    if first:
        return int(first.group(1)), ""
    for match in _COUNT_RE.finditer(text):
        if not _bounds_before(text, match.start()):
            return int(match.group(1)), match.group(2)
    asked = _ASKED_COUNT_RE.search(text)
    if asked and asked.group(2) not in _PROSE_UNITS:
        return int(asked.group(1)), asked.group(2)
    return None


def _bounds_before(text: str, start: int) -> bool:
    """Whether the word before ``start`` makes the number there a bound or a parameter."""
    before = text[:start].split()
    return bool(before) and before[-1] in _NOT_COUNT_BEFORE


def _find_bounds(text: str) -> list[int | None] | None:
    between = _BETWEEN_RE.search(text)
    if between:
        lo, hi = sorted((int(between.group(1)), int(between.group(2))))
        return [lo, hi]
    bounds: dict[str, int] = {}
    for pattern, side, shift in _BOUNDS:
        match = pattern.search(text)
        if match and side not in bounds:
            bounds[side] = int(match.group(1)) + shift
    if not bounds:
        return None
    return [bounds.get("lo"), bounds.get("hi")]


def _find_field_types(text: str) -> dict[str, str]:
    """Simple types the request names for fields: "age (number)", "tags as a list"."""
    types: dict[str, str] = {}
    for pattern in _FIELD_TYPES:
        for match in pattern.finditer(text):
            if match.group(1) not in _TYPE_WORDS and match.group(1) not in {"it", "each", "value"}:
                types.setdefault(match.group(1), _TYPE_WORDS[match.group(2)])
    return types


def _find_fields(text: str) -> list[str]:
    text = _TYPE_NOTE_RE.sub("", text)
    for pattern in _FIELD_LISTS:
        match = pattern.search(text)
        if match:
            raw = _FIELD_STOP_RE.split(match.group(1), maxsplit=1)[0]
            names = [n.strip(" \"'`") for n in _FIELD_SPLIT_RE.split(raw)]
            names = [n for n in names if n and len(n.split()) <= 3]
            if names:
                return names
    return []


def _find_given(text: str) -> list[Number]:
    """The numbers the user supplied, e.g. "sort 5, 3, 9 and 1" -> [5, 3, 9, 1]."""
    return extract_numbers(re.sub(r",?\s+and\s+(?=-?\d)", ", ", text))


def _find_words(original: str) -> list[str]:
    """Words the user gives to rearrange: "Sort these words alphabetically: pear, apple, fig"."""
    text = original.replace("’", "'")
    intro = _WORDS_INTRO_RE.search(text[text.index(":") :] if ":" in text else text)
    if not intro:
        return []
    raw = re.split(r"[.?!](?:\s|$)|\n\n", intro.group(1).strip(), maxsplit=1)[0]
    raw = _ORDER_TAIL_RE.split(raw, maxsplit=1)[0]
    parts = [p.strip(" \"'`") for p in _FIELD_SPLIT_RE.split(raw) if p.strip(" \"'`")]
    if len(parts) < 2 or not all(_GIVEN_WORD_RE.fullmatch(p) for p in parts):
        return []
    return parts


def _word_order(text: str) -> str | None:
    """Dictionary order when asked (or a bare "sort"); None for "by length", "by popularity"."""
    named = _first_named(text, _WORD_ORDERS)
    if named:
        return named
    if re.search(r"\bsort\b", text) and not re.search(r"\bby\s+(?!alphabet)[a-z]", text):
        return "alphabetical"
    return None


def _letter_count(original: str) -> tuple[int, str] | None:
    """How often a letter (or vowels, consonants) occurs in a quoted or named word.

    Read from the original wording: normalising would turn the word "one" into "1".
    """
    text = original.lower().replace("’", "'")
    if not _LETTER_ASK_RE.search(text):
        return None
    target, word = _first_match(text, _LETTER_TARGETS), _first_match(text, _LETTER_WORDS)
    if target is None or word is None:
        return None
    letter, subject = target.group(1), word.group(1).strip()
    if subject == letter or subject in {"it", "this", "that", "the", "a", "an"}:
        return None
    letters = [c for c in subject if c.isalpha()]
    if letter.startswith("vowel"):
        n, what = sum(c in _VOWELS for c in letters), "vowels"
    elif letter.startswith("consonant"):
        n, what = sum(c not in _VOWELS for c in letters), "consonants"
    else:
        n, what = letters.count(letter), f"letters '{letter}'"
    return n, f"the number of {what} in '{subject}'"


def _listed_stubs(original: str) -> list[str]:
    """Functions of a listing left for the reply to write (a docstring, ``pass`` or ``...``).

    A listing that gives a finished helper beside the stub to complete asks for the stub only.
    """
    stubs: list[str] = []
    for block in _FENCE_RE.findall(original):
        try:
            tree = ast.parse(block)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and all(
                isinstance(stmt, ast.Pass)
                or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
                for stmt in node.body
            ):
                stubs.append(node.name)
    return stubs


def _find_names(original: str) -> list[str]:
    """Names the code must define.

    A ``def`` or ``class`` written in the request is the signature the user gave, so those
    names are the whole answer: prose around a listing ("the function below", "this function
    is ...") names no function. Without a listing, prose names count, except English words
    that only follow "function" in a sentence. A call written in the spec ("returns str(n)")
    names a builtin the code uses, not one it must define, so call-shaped builtins are
    skipped; "a function called len" still counts.
    """
    listed = _listed_stubs(original) or _LISTED_DEF_RE.findall(original)
    if listed:
        return list(dict.fromkeys(listed))
    names: list[str] = []
    for match in _FUNC_NAME_RE.finditer(original):
        named, called = match.group(1), match.group(2)
        if named and named.lower() not in _PROSE_WORDS:
            names.append(named)
        elif not named and called and called not in _BUILTIN_NAMES:
            names.append(called)
    names += [m.group(1) for m in _CLASS_NAME_RE.finditer(original)]
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------------------------------
# Values the request lets us compute exactly.


def _aggregate_value(text: str) -> tuple[Number, str] | None:
    match = _AGG_RE.search(text)
    if not match:
        return None
    op, rest = match.group(1), match.group(2)
    values = _aggregate_inputs(rest)
    if values is None:
        return None
    label = rest.strip()[:40]
    if op == "product":
        return math.prod(values), f"product of {label}"
    if op in ("average", "mean"):
        return (_arith.tidy(sum(values) / len(values)), f"average of {label}") if values else None
    return sum(values), f"sum of {label}"  # sum, total, add up


def _aggregate_inputs(rest: str) -> list[Number] | None:
    span = _AGG_RANGE_RE.match(rest)
    if span:
        lo, hi = sorted((int(span.group(1)), int(span.group(2))))
        if hi - lo <= 1_000_000:
            return list(range(lo, hi + 1))
        return None
    first = _AGG_FIRST_RE.match(rest)
    if first:
        n, what = int(first.group(1)), first.group(2)
        if _NUMBERS_WORD_RE.match(what):
            return list(range(1, n + 1))
        props, k = _find_properties(what)
        sequence = expected_sequence(props[0], n, k) if props and n <= 100_000 else None
        return None if sequence is None else list(sequence)
    given = _find_given(rest)
    return given if len(given) >= 2 else None


def _find_value(found: _Findings) -> None:
    text = found.text
    letters = _letter_count(found.original)
    if letters:
        found.value, found.value_label = letters
        return
    conversion = _arith.find_conversion(text)
    if conversion:
        result = _arith.convert(*conversion)
        found.conversion, found.value = conversion, result
        found.value_label = f"{format_number(conversion[0])} {conversion[1]} in {conversion[2]}"
        return
    for finder in (_aggregate_value, _arith.special_value):
        hit = finder(text)
        if hit:
            found.value, found.value_label = hit
            found.aggregate = finder is _aggregate_value
            return
    if _COMPUTE_RE.search(text) or re.fullmatch(r"[\d\s.+\-*/%()x×÷^]+\??", text.strip()):
        expression = _arith.find_expression(text)
        if expression:
            found.value_label, found.value = expression


def _findings(request: str) -> _Findings:
    text = normalize(request)
    found = _Findings(text=text, original=request)
    found.document = _first_named(text, _DOCUMENTS)
    found.wants_code = bool(_CODE_RE.search(text)) and not _NO_CODE_RE.search(text)
    found.properties, found.k = _find_properties(text)
    _find_value(found)
    counted = None if found.aggregate else _find_count(text)
    if counted:
        found.count, found.count_noun = counted
    found.ordering = _first_named(text, _ORDERS)
    domain = _DOMAIN_SPAN_RE.search(text)
    if domain and _filters_values(found, domain.group(0)):
        domain = None  # "even numbers from 10 to 30": the span bounds the values asked for
    if domain:
        lo, hi = sorted((int(domain.group(1)), int(domain.group(2))))
        # "squares of the integers 1 through 15" asks for 15 items: the first 15 squares.
        if found.count is None and lo == 1 and _TRANSFORM_RE.search(text) and hi <= 100_000:
            found.count = hi
    else:
        found.bounds = _find_bounds(text)
    found.fields = _find_fields(text)
    found.names = _find_names(request) if found.wants_code else []
    task = bool(_SORT_TASK_RE.search(text) or _DEDUPE_TASK_RE.search(text))
    given = _find_given(text) if task else []
    if len(given) >= 2 and found.value is None:
        found.given, found.sort_task = given, True
    elif (task or _ALPHA_RE.search(text)) and found.value is None and not found.wants_code:
        _find_word_task(found)
    found.per_line = bool(_PER_LINE_RE.search(text))
    found.value_only = bool(_VALUE_ONLY_RE.search(text))
    found.field_types = _find_field_types(text) if found.fields else {}
    found.complete = _determines_set(found)
    return found


def _filters_values(found: _Findings, span: str) -> bool:
    """A "numbers from A to B" span with a set property bounds the values, not an input."""
    if span.startswith("for") or _TRANSFORM_RE.search(found.text):
        return False
    return any(determines_set(p) for p in found.properties)


def _find_word_task(found: _Findings) -> None:
    """A request to sort or dedupe given words: the words are the data, text not numbers."""
    words = _find_words(found.original)
    if not words:
        return
    found.words, found.sort_task = words, True
    found.properties = [p for p in found.properties if p == "unique"]
    found.bounds, found.ordering, found.k = None, None, None
    if _SORT_TASK_RE.search(found.text) or _ALPHA_RE.search(found.text):
        found.word_order = _word_order(found.text)
    if found.count is not None and found.count_noun in {"words", "names", "items", ""}:
        found.count = None  # "sort these 4 words": the given list fixes the count already


def _determines_set(found: _Findings) -> bool:
    """Whether the request names a finite set in full: a property and a closed range, no count.

    "Multiples of 7 between 1 and 100" asks for all of them; "some primes below 50" or "the
    first 5 primes over 100" do not, so completeness is not a criterion there.
    """
    if found.count is not None or found.sort_task or found.aggregate or found.wants_code:
        return False
    if not found.bounds or found.bounds[1] is None or _SOME_RE.search(found.text):
        return False
    if found.bounds[0] is None and "prime" not in found.properties:
        return False  # "primes below 50" start at 2; "squares below 50" may or may not hold 0
    return any(determines_set(p) for p in found.properties)


# ---------------------------------------------------------------------------------------
# From findings to an Intent.


def _numbers_wanted(found: _Findings) -> bool:
    props = [p for p in found.properties if p != "unique"]
    text = found.text
    if found.words:
        return False
    return bool(
        props
        or found.value is not None
        or found.sort_task
        or _HOW_MANY_RE.search(text)
        or (found.count is not None and _NUMBERS_WORD_RE.search(text))
        or (_COMPUTE_RE.search(text) and re.search(r"\d", text))
    )


def _data_type(found: _Findings) -> tuple[DataType, OutputFormat]:
    text = found.text
    if found.document:
        return DataType.DOCUMENT, found.document
    if found.wants_code:
        return DataType.CODE, OutputFormat.CODE
    if _ANALYSIS_RE.search(text) and found.value is None:
        single = _STAT_RE.search(text) and not re.search(r"\banaly[sz]e|analysis\b", text)
        return DataType.ANALYSIS, OutputFormat.SINGLE_VALUE if single else OutputFormat.PROSE
    numbers = _numbers_wanted(found)
    if _TABLE_RE.search(text) or (found.fields and not numbers) or (found.fields and found.count):
        if not (numbers and not found.fields and not re.search(r"\btable\b", text)):
            return DataType.TABLE, _first_named(text, _NAMED_FORMATS) or OutputFormat.MARKDOWN
    if numbers:
        return DataType.NUMBERS, _numbers_format(found)
    if _JSON_RE.search(text):
        return DataType.TABLE, OutputFormat.JSON
    if found.words or (found.count is not None and found.count_noun not in _PROSE_UNITS):
        return DataType.TEXT, OutputFormat.LIST
    return DataType.TEXT, OutputFormat.PROSE


def _numbers_format(found: _Findings) -> OutputFormat:
    named = _first_named(found.text, _NAMED_FORMATS)
    if named:
        return named
    is_list = found.count is not None or found.sort_task or found.properties
    if found.value is not None or (_HOW_MANY_RE.search(found.text) and not is_list):
        return OutputFormat.SINGLE_VALUE
    if not is_list and _COMPUTE_RE.search(found.text):
        return OutputFormat.SINGLE_VALUE
    return OutputFormat.LIST if _LIST_WORD_RE.search(found.text) else OutputFormat.RAW_DATA


def _criterion(kind: CriterionKind, value: Any, description: str) -> Criterion:
    return Criterion(kind=kind, value=value, description=description)


def _criteria(found: _Findings, fmt: OutputFormat) -> list[Criterion]:
    if fmt == OutputFormat.CODE:
        # What the program should compute ("multiples of 3" in fizzbuzz) is not a property of
        # the delivered text; the code is checked as code, by name, and by the judge.
        return _shape_criteria(found, fmt)
    single = fmt == OutputFormat.SINGLE_VALUE
    out = [] if single else _list_criteria(found)
    counted = fmt == OutputFormat.LIST and found.count is not None
    if counted and not (found.words or _numbers_wanted(found)):
        # Counting proves the number of items, not that they are what was asked for.
        described = f"each item is one of the {found.count_noun or 'things'} asked for"
        out.append(_criterion(CriterionKind.OTHER, "items fit the request", described))
    if found.words and found.word_order is None and "unique" not in found.properties:
        # "Rank these by popularity": the words are checkable, the order is a judge's call.
        described = "the given words arranged in the order the request asks for"
        out.append(_criterion(CriterionKind.OTHER, "arranged as asked", described))
    if found.complete and not single:
        lo, hi = found.bounds or [None, None]
        lo = 2 if lo is None else lo
        described = f"every such number from {lo} to {hi} is listed, none left out"
        out.append(_criterion(CriterionKind.PROPERTY, COMPLETE, described))
    out += _value_criteria(found, single)
    return out + _shape_criteria(found, fmt) + _layout_criteria(found, fmt)


def _list_criteria(found: _Findings) -> list[Criterion]:
    """What every item of a list is checked against: count, properties, order and range."""
    out: list[Criterion] = []
    if found.count is not None:
        noun = found.count_noun if found.count_noun and not found.properties else "items"
        out.append(_criterion(CriterionKind.COUNT, found.count, f"exactly {found.count} {noun}"))
    if not found.aggregate:
        for prop in found.properties:
            described = f"every item is {_describe_property(prop)}"
            out.append(_criterion(CriterionKind.PROPERTY, prop, described))
    for order in (found.word_order, found.ordering):  # dictionary order, then numeric
        if order:
            described = f"in {order.replace('_', ' ')} order"
            out.append(_criterion(CriterionKind.ORDERING, order, described))
    if found.bounds and not found.sort_task:
        out.append(_criterion(CriterionKind.RANGE, found.bounds, _describe_range(found.bounds)))
    return out


def _layout_criteria(found: _Findings, fmt: OutputFormat) -> list[Criterion]:
    """How the reply is laid out: one item per line, or the bare value and nothing else."""
    out: list[Criterion] = []
    if found.per_line and fmt not in (OutputFormat.SINGLE_VALUE, OutputFormat.CODE):
        out.append(_criterion(CriterionKind.LAYOUT, "one_per_line", "one item per line"))
    if found.value_only and fmt == OutputFormat.SINGLE_VALUE:
        described = "the value alone, with no other text"
        out.append(_criterion(CriterionKind.LAYOUT, "value_only", described))
    return out


def _value_criteria(found: _Findings, single: bool) -> list[Criterion]:
    out: list[Criterion] = []
    if found.value is not None and single:
        # The description is shown to the producer, so it names the quantity, not its value.
        tolerance = " (within 0.5%)" if isinstance(found.value, float) else " (exact)"
        described = f"the correct value of {found.value_label}{tolerance}"
        out.append(_criterion(CriterionKind.VALUE, found.value, described))
    if found.words:
        distinct = "unique" in found.properties
        described = (
            "exactly the distinct words given, none added"
            if distinct
            else "exactly the words given, none added or left out"
        )
        out.append(_criterion(CriterionKind.CONTAINS, list(found.words), described))
    elif found.sort_task:
        described = "exactly the numbers given, rearranged as asked"
        out.append(_criterion(CriterionKind.CONTAINS, list(found.given), described))
    return out


# Every format a request can name is delivered as a file of that type.
_FILE_FORMATS = {fmt for _, fmt in _DOCUMENTS + _NAMED_FORMATS}


def _shape_criteria(found: _Findings, fmt: OutputFormat) -> list[Criterion]:
    out: list[Criterion] = []
    if found.fields:
        described = f"fields: {', '.join(found.fields)}"
        out.append(_criterion(CriterionKind.FIELDS, list(found.fields), described))
    if found.field_types:
        described = "field types: " + ", ".join(
            f"{k} is a {v}" for k, v in found.field_types.items()
        )
        types = {"field_types": dict(found.field_types)}
        out.append(_criterion(CriterionKind.LAYOUT, types, described))
    if fmt in _FILE_FORMATS:
        described = f"delivered as {fmt.value.upper()}"
        out.append(_criterion(CriterionKind.FILE_TYPE, fmt.value, described))
    out += [_criterion(CriterionKind.CONTAINS, n, f"defines {n}") for n in found.names]
    return out


def _family_words(prop: str, words: str) -> str | None:
    """A family's description of a property ("a multiple of 7"); None for other properties."""
    name, _, param = prop.partition(":")
    family = families.FAMILIES.get(name)
    return None if family is None else family.label(getattr(family, words), param)


def _describe_property(prop: str) -> str:
    described = _family_words(prop, "describe")
    if described is not None:
        return described
    return "distinct" if prop == "unique" else f"a {prop} number"


def _describe_range(bounds: list[int | None]) -> str:
    lo, hi = bounds
    if lo is not None and hi is not None:
        return f"between {lo} and {hi} inclusive"
    if hi is not None:
        return f"at most {hi}"
    return f"at least {lo}"


def _subject(found: _Findings, data_type: DataType) -> str:
    if found.value_label:
        return found.value_label
    for prop in found.properties:
        subject = _family_words(prop, "subject")
        if subject is not None:
            return subject
    if found.words:
        if found.word_order:
            return "sorted words"
        return "the given words, deduplicated" if "unique" in found.properties else "given words"
    if found.sort_task:
        return "deduplicated numbers" if "unique" in found.properties else "sorted numbers"
    if data_type == DataType.CODE:
        return f"Python code for {found.names[0]}" if found.names else "Python code"
    words = _LEAD_WORDS_RE.sub("", found.text.strip()).split()
    return " ".join(words[:6]).rstrip(".?!,:")


def rules_intent(request: str) -> Intent:
    """Analyse a request with keyword rules; deterministic and free of model calls."""
    found = _findings(request)
    data_type, fmt = _data_type(found)
    return Intent(
        data_type=data_type,
        expected_format=fmt,
        success_criteria=_criteria(found, fmt),
        subject=_subject(found, data_type),
        source="rules",
    )


def extract_parameters(request: str) -> dict[str, Any]:
    """Return the values the request states, so a stored skill can be re-run with new ones.

    Keys appear only when the request states them: ``n`` (count), ``k`` (multiple-of
    parameter), ``lo``/``hi`` (range bounds), ``numbers`` (a given list), ``fields``,
    ``amount``/``from_unit``/``to_unit`` (a conversion), ``operands`` (the numbers of a
    calculation, e.g. [1234, 5678] for "1234 * 5678"), ``function_names``, ``file_type``,
    ``properties`` and ``ordering``. Never the computed answer: a skill built on it would
    replay the rules' own number instead of computing one.
    """
    found = _findings(request)
    params: dict[str, Any] = {
        "n": found.count,
        "k": found.k,
        "numbers": list(found.given) or None,
        "words": list(found.words) or None,
        "fields": list(found.fields) or None,
        "function_names": list(found.names) or None,
        "properties": list(found.properties) or None,
        "ordering": found.ordering,
        "file_type": found.document.value if found.document else None,
    }
    if found.bounds:
        params["lo"], params["hi"] = found.bounds
    if found.conversion:
        params["amount"], params["from_unit"], params["to_unit"] = found.conversion
    elif found.value is not None:
        # The label is the calculation as the request wrote it ("1234 * 5678", "15% of 80").
        operands = [to_number(m.group()) for m in NUMBER_RE.finditer(found.value_label)]
        params["operands"] = operands or None
    return {key: value for key, value in params.items() if value is not None}


# ---------------------------------------------------------------------------------------
# Merging the model's view with the rules'.

_CHECKABLE = {
    CriterionKind.COUNT,
    CriterionKind.PROPERTY,
    CriterionKind.VALUE,
    CriterionKind.CONTAINS,
    CriterionKind.FIELDS,
    CriterionKind.FILE_TYPE,
}


def rules_confident(intent: Intent) -> bool:
    """Whether the rules found unambiguous evidence for the data type.

    Explicit file formats and code requests are unambiguous; numbers are when a checkable
    fact (count, property, value, given list) was found. Plain text is the rules' fallback,
    never a confident verdict.
    """
    if intent.data_type in (DataType.DOCUMENT, DataType.CODE):
        return True
    kinds = {c.kind for c in intent.success_criteria}
    if intent.data_type == DataType.NUMBERS:
        return bool(kinds & _CHECKABLE)
    if intent.data_type == DataType.TABLE:
        return bool(kinds & {CriterionKind.FIELDS, CriterionKind.FILE_TYPE})
    if intent.data_type == DataType.TEXT:
        # Given words to rearrange are text for certain, whatever the model reads into them.
        return any(
            c.kind == CriterionKind.CONTAINS and isinstance(c.value, list)
            for c in intent.success_criteria
        )
    return False


def _criterion_key(criterion: Criterion) -> tuple[str, str]:
    # Kinds that hold one answer are keyed by kind alone, so the model cannot add a second,
    # conflicting count; properties and contains are keyed by value, since several can hold.
    if criterion.kind in (CriterionKind.PROPERTY, CriterionKind.CONTAINS, CriterionKind.OTHER):
        return criterion.kind.value, str(criterion.value).strip().lower()
    return criterion.kind.value, ""


def _normalise_model_criterion(criterion: Criterion) -> Criterion:
    """Coerce a model's count to an int; an unreadable one becomes OTHER for the judge."""
    if criterion.kind != CriterionKind.COUNT or isinstance(criterion.value, int):
        return criterion
    try:
        return criterion.model_copy(update={"value": int(str(criterion.value).replace(",", ""))})
    except ValueError:
        return criterion.model_copy(update={"kind": CriterionKind.OTHER})


# Criteria that only a list of numbers can meet.
_NUMERIC_KINDS = {
    CriterionKind.PROPERTY,
    CriterionKind.RANGE,
    CriterionKind.ORDERING,
    CriterionKind.VALUE,
}
# Criteria about delivered data; for code they describe what the function returns.
_OUTPUT_KINDS = _NUMERIC_KINDS | {
    CriterionKind.COUNT,
    CriterionKind.LAYOUT,
    CriterionKind.FIELDS,
    CriterionKind.FILE_TYPE,
}


def _stated_count(request: str | None, value: Any) -> bool:
    """Whether the request's own words state this count ("5 ideas", "five ideas").

    A number that bounds a range or parametrises a property ("multiples of 7 between 1 and
    100") is not a count, so it must stand before a word that is not a range word.
    """
    if request is None or not isinstance(value, int):
        return False
    text = normalize(request)
    return any(
        not _bounds_before(text, match.start()) and match.group(2) != "and"
        for match in re.finditer(rf"(?<![\d.])({value})\s+([a-z]+)", text)
    )


def _keeps_model_count(
    candidate: Criterion, rules: Intent, single: bool, request: str | None
) -> bool:
    """A model's count stands only on the request's words, never on the model's guess.

    The 0.5B model wrote the answer as a count ("count: 7006652" for 1234 * 5678) and
    invented "count: 7" for "multiples of 7 between 1 and 100", which let 7 of 14 pass.
    """
    if single or rules.expected_format == OutputFormat.SINGLE_VALUE:
        return False  # either reading of the request as one value rules a count out
    if any(
        c.kind == CriterionKind.PROPERTY and c.value == COMPLETE for c in rules.success_criteria
    ):
        return False  # the whole set is asked for, so its size is the validator's to compute
    return _stated_count(request, candidate.value)


def _merged_subject(model_intent: Intent, rules: Intent, take_rules: bool) -> str:
    # When the rules decided the data type, their subject names it: the model's "prime
    # numbers" for a word sort must not survive into prompts and the learned pattern.
    if take_rules and rules.data_type != model_intent.data_type:
        return rules.subject or model_intent.subject
    return model_intent.subject or rules.subject


def merge_intents(model_intent: Intent | None, rules: Intent, request: str | None = None) -> Intent:
    """Combine the model's intent with the rules' intent without losing checkable facts.

    Every criterion the rules found is kept; the model's criteria are added where they do
    not duplicate or contradict one of them, except a count the request does not state:
    pass ``request`` so a count the rules missed can still be confirmed from its words.
    The data type and format come from the rules when :func:`rules_confident`, otherwise
    from the model.
    """
    if model_intent is None:
        return rules.model_copy(update={"source": "merged"}, deep=True)
    take_rules = rules_confident(rules)
    base = rules if take_rules else model_intent
    criteria = [c.model_copy(deep=True) for c in rules.success_criteria]
    seen = {_criterion_key(c) for c in criteria}
    covered = {c.kind for c in criteria}
    single = base.expected_format == OutputFormat.SINGLE_VALUE
    code = take_rules and rules.data_type == DataType.CODE
    outputs: set[str] = set()  # sentences the model put under a data kind
    if code:
        outputs = {c.description for c in model_intent.success_criteria if c.kind in _OUTPUT_KINDS}
        outputs.discard("")
    for criterion in model_intent.success_criteria:
        candidate = _normalise_model_criterion(criterion)
        if code and (candidate.kind in _OUTPUT_KINDS or candidate.description in outputs):
            # What a function returns is proven by running it on examples, not by reading
            # its source; a weak model's "returns a list of numbers" under every kind only
            # left code that passed its examples open for an untrusted judge.
            continue
        if candidate.kind == CriterionKind.COUNT and not _keeps_model_count(
            candidate, rules, single, request
        ):
            continue
        if take_rules and rules.data_type == DataType.TEXT and candidate.kind in _NUMERIC_KINDS:
            continue  # "prime" or "ascending" read into a list of words checks nothing real
        if take_rules and candidate.kind in covered:
            # The rules read this kind confidently; the model's rewording of it ("every item
            # is prime" beside "prime") is no verifier's input and would only leave a right
            # answer open for a judge (seen on the embedded model: 25 right primes unverified).
            continue
        if _criterion_key(candidate) not in seen:
            seen.add(_criterion_key(candidate))
            criteria.append(candidate.model_copy(deep=True))
    return Intent(
        data_type=base.data_type,
        expected_format=base.expected_format,
        success_criteria=criteria,
        quality=model_intent.quality.model_copy(),
        subject=_merged_subject(model_intent, rules, take_rules),
        source="merged",
    )

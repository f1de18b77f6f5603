"""Deterministic cleanup of model output before it is validated.

Small models often get the data right and the packaging wrong: fences around a list, a
numbered list, "2.0" for 2, the list printed twice, one item too many. Each fix here was
chosen because it turns such near-misses into passes without a retry. Cleanup only ever
removes text (and rewrites number formatting); it never invents or reorders data, and it
never consults a reference answer: it drops items a stated property rejects one at a time and
trims to a stated count, and the validator alone compares with the expected sequence.
"""

from __future__ import annotations

import json
import re

from ..state.models import CriterionKind, DataType, Intent, OutputFormat
from ._text import NUMBER_RE, Number, format_number, to_number, unfence
from .content import TABLE_DELIMITERS, extract_numbers, table_delimiter
from .verifiers import VERIFIERS, split_property

_LIST_FORMATS = {OutputFormat.RAW_DATA, OutputFormat.LIST}
# Properties of the list as a whole: dropping "offending" items would choose between copies.
_WHOLE_LIST_PROPERTIES = {"unique"}
# Words that introduce the answer in "17 * 23 = 391" or "The result is 391".
_ANSWER_RE = re.compile(r"(?:=|≈|\bis\b|\bequals\b|\bequal to\b|:|\bare\b|\bgives\b)\s*")


def clean(content: str, intent: Intent) -> str:
    """Return the content with packaging noise removed, shaped for the intent's format."""
    fmt = intent.expected_format
    if fmt == OutputFormat.CODE or intent.data_type == DataType.CODE:
        return unfence(content)
    if fmt == OutputFormat.JSON:
        return clean_json(content)
    if fmt == OutputFormat.CSV or intent.data_type == DataType.TABLE:
        return clean_table(content)
    if fmt == OutputFormat.SINGLE_VALUE:
        return clean_single_value(content)
    if intent.data_type == DataType.NUMBERS or fmt in _LIST_FORMATS:
        return clean_number_list(content, intent)
    return unfence(content)


def dedupe_repeated(values: list[Number]) -> list[Number]:
    """Collapse a list printed twice back to back into one copy."""
    half = len(values) // 2
    if len(values) >= 2 and len(values) % 2 == 0 and values[:half] == values[half:]:
        return values[:half]
    return values


def _item_checks(intent: Intent) -> list[tuple[str, str | None, object]]:
    """The per-item checks the request states: (verifier, its parameter, range bounds)."""
    checks: list[tuple[str, str | None, object]] = []
    for criterion in intent.success_criteria:
        if criterion.kind == CriterionKind.PROPERTY:
            name, param = split_property(str(criterion.value))
            if name in VERIFIERS and name not in _WHOLE_LIST_PROPERTIES:
                checks.append((name, param, None))
        elif criterion.kind == CriterionKind.RANGE:
            checks.append(("within_range", None, criterion.value))
    return checks


def _item_passes(value: Number, checks: list[tuple[str, str | None, object]]) -> bool:
    """One item against every stated per-item check; no check ever sees a reference list."""
    return all(
        VERIFIERS[name]([value], bounds if name == "within_range" else param)[0]
        for name, param, bounds in checks
    )


def drop_failing_items(values: list[Number], intent: Intent) -> list[Number]:
    """Remove surplus items a stated property or range rejects (one item at a time).

    Only when the list is longer than the stated count: then a rejected item is surplus
    noise (a "1" among primes). Within the count the items stay, so the validator names the
    offender to the next attempt. Nothing is ever added or moved: a missing prime stays
    missing and the count check says so.
    """
    n = _stated_count(intent)
    checks = _item_checks(intent)
    if n is None or len(values) <= n or not checks:
        return values
    return [v for v in values if _item_passes(v, checks)]


def trim_to_count(values: list[Number], intent: Intent) -> list[Number]:
    """Drop surplus items past the count the request states.

    Only when a stated property or range vouches for every kept item: without one we cannot
    tell surplus from data, so the list is left alone and the validator reports the count.
    Which items are right is never decided here; the kept prefix is validated like any other.
    """
    n = _stated_count(intent)
    if n is None or n <= 0 or len(values) <= n:
        return values
    checks = _item_checks(intent)
    prefix = values[:n]
    return prefix if checks and all(_item_passes(v, checks) for v in prefix) else values


def _stated_count(intent: Intent) -> int | None:
    """The count criterion as a whole number; None when there is none or it is not whole."""
    count = intent.criterion(CriterionKind.COUNT)
    if count is None:
        return None
    try:
        number = float(str(count.value).replace(",", ""))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def render_numbers(values: list[Number]) -> str:
    """Render numbers as '2, 3, 5': the shape users and the RAW_DATA format expect."""
    return ", ".join(format_number(v) for v in values)


def clean_number_list(content: str, intent: Intent) -> str:
    """Reduce content to its number list; leave it (unfenced) when no numbers are there."""
    body = unfence(content)
    values = extract_numbers(body)
    if not values:
        return body
    values = trim_to_count(drop_failing_items(dedupe_repeated(values), intent), intent)
    if intent.expected_format in _LIST_FORMATS or intent.data_type == DataType.NUMBERS:
        return render_numbers(values)
    return body


def single_value(text: str) -> Number | None:
    """Pick the answer out of text such as '17 * 23 = 391' or 'The result is 391.'.

    The number after the last '=' / 'is' wins; otherwise a lone number; otherwise the last.
    """
    body = unfence(text)
    numbers = list(NUMBER_RE.finditer(body))
    if not numbers:
        return None
    for marker in reversed(list(_ANSWER_RE.finditer(body))):
        after = NUMBER_RE.match(body, marker.end())
        if after:
            return to_number(after.group())
    return to_number(numbers[-1].group())


def clean_single_value(content: str) -> str:
    """Reduce content to the one number it answers with, if it has one."""
    value = single_value(content)
    return unfence(content) if value is None else format_number(value)


_INT_FLOAT_CELL = re.compile(r"^(\s*-?\d+)\.0+(\s*)$")


def clean_table(content: str) -> str:
    """Keep the longest block of lines that share a delimiter count: the table itself."""
    best = _longest_table_block(unfence(content).splitlines())
    if not best:
        return unfence(content)
    delim = table_delimiter("\n".join(best)) or ","
    return "\n".join(_int_cells(line, delim) for line in best)


def _longest_table_block(lines: list[str]) -> list[str]:
    """Longest run of consecutive lines with the same non-zero delimiter count (linear)."""
    best: list[str] = []
    for delim in TABLE_DELIMITERS:
        run: list[str] = []
        prev = 0
        for line in lines:
            count = line.count(delim)
            if count > 0 and count == prev:
                run.append(line)
            else:
                run = [line] if count > 0 else []
                prev = count
            if len(run) > len(best):
                best = list(run)
    return _trim_prose(best) if len(best) >= 2 else []


def _is_prose(line: str) -> bool:
    # "Here is the table, as requested:" has a comma too; prose ends like a sentence.
    stripped = line.strip()
    return stripped.endswith(":") or (stripped.endswith(".") and len(stripped.split()) >= 5)


def _trim_prose(block: list[str]) -> list[str]:
    while block and _is_prose(block[0]):
        block = block[1:]
    while block and _is_prose(block[-1]):
        block = block[:-1]
    return block if len(block) >= 2 else []


def _int_cells(line: str, delim: str) -> str:
    return delim.join(_INT_FLOAT_CELL.sub(r"\1\2", cell) for cell in line.split(delim))


def clean_json(content: str) -> str:
    """Cut the largest JSON object or array out of surrounding prose and fences."""
    body = unfence(content)
    decoder = json.JSONDecoder()
    best = ""
    for match in re.finditer(r"[\[{]", body):
        try:
            _, end = decoder.raw_decode(body, match.start())
        except ValueError:
            continue
        candidate = body[match.start() : end]
        if len(candidate) > len(best):
            best = candidate
    return best or body

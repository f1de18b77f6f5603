"""Document actions: write .xlsx, .docx and .pdf files with openpyxl, python-docx and reportlab.

The model only chooses *what* goes into a file (a file name, columns, rows, paragraphs); the
writing is our code, so a weak model cannot produce a corrupt file or write outside the run's
output directory. Rows may be ``"previous"``: the previous action's printed result, parsed
into a table, which is how an actionplan passes computed data into a document.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..state.models import ActionResult, ToolSpec

MAX_ROWS = 100_000
MAX_FILENAME = 120
PREVIOUS = "previous"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")

Cell = str | int | float
Table = list[list[Cell]]


class DocumentError(ValueError):
    """A document action's parameters cannot be honoured (bad name, bad rows)."""


def _spec(name: str, kind: str, extra: dict[str, str]) -> ToolSpec:
    return ToolSpec(
        name=name,
        description=f"Writes a {kind} file into the run's output folder from the given data.",
        parameters={
            "filename": f"file name ending in .{name.removeprefix('create_')} (no folders)",
            "columns": "list of column names",
            "rows": 'list of rows (lists of cells), or "previous" for the previous result',
            **extra,
        },
    )


_TEXT_PARAMETERS = {
    "title": "optional heading",
    "paragraphs": "optional list of text paragraphs",
}
DOCUMENT_SPECS: tuple[ToolSpec, ...] = (
    _spec("create_xlsx", "Excel", {"sheet": "optional sheet name"}),
    _spec("create_docx", "Word", _TEXT_PARAMETERS),
    _spec("create_pdf", "PDF", _TEXT_PARAMETERS),
)


def safe_output_path(out_dir: Path, filename: str, extension: str) -> Path:
    """Resolve ``filename`` inside ``out_dir``; refuse folders, traversal and other types.

    Raises:
        DocumentError: When the name is not a plain file name with the expected extension.
    """
    name = str(filename or "").strip()
    if not name or len(name) > MAX_FILENAME:
        raise DocumentError(f"filename must be 1-{MAX_FILENAME} characters")
    if not _SAFE_NAME.match(name):  # no separator, and it cannot start with a dot
        raise DocumentError(f"filename {name!r} must be a plain file name without folders")
    if Path(name).suffix.lower() != f".{extension}":
        raise DocumentError(f"filename {name!r} must end in .{extension}")
    root = out_dir.resolve()
    target = (root / name).resolve()
    if target.parent != root:
        raise DocumentError(f"filename {name!r} would leave the output folder")
    return target


def _number(text: str) -> Cell:
    cleaned = text.strip()
    for kind in (int, float):
        with contextlib.suppress(ValueError):
            return kind(cleaned)
    return cleaned


def rows_from_text(text: str, columns: Sequence[str] = ()) -> Table:
    """Parse a printed result into rows: JSON, comma/tab separated lines, or one flat list.

    A header row equal to ``columns`` is dropped, and rows one cell narrower than
    ``columns`` get their 1-based position prepended ("n, prime" from a list of primes).
    """
    body = text.strip()
    rows: list[list[Any]]
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, list):
        rows = [list(r) if isinstance(r, list | tuple) else [r] for r in parsed]
    else:
        lines = [ln for ln in body.splitlines() if ln.strip()]
        if len(lines) == 1 and "," in lines[0] and len(columns) <= 2:
            rows = [[cell] for cell in lines[0].strip("[]() ").split(",")]
        else:
            rows = [re.split(r"\t|,|;|\|", ln.strip().strip("|")) for ln in lines]
    table: Table = [[_number(str(c)) if isinstance(c, str) else c for c in r] for r in rows]
    wanted = [c.strip().lower() for c in columns]
    if table and wanted and [str(c).strip().lower() for c in table[0]] == wanted:
        table = table[1:]
    if wanted and table and all(len(r) == len(wanted) - 1 for r in table):
        table = [[i, *r] for i, r in enumerate(table, start=1)]
    return table


def resolve_rows(params: dict[str, Any], previous: str) -> Table:
    """The rows to write: given inline, or parsed from the previous action's result.

    Raises:
        DocumentError: When rows are malformed or too many.
    """
    rows = params.get("rows", [])
    columns = [str(c) for c in params.get("columns") or []]
    if rows == PREVIOUS:
        table = rows_from_text(previous, columns)
    elif isinstance(rows, list):
        table = [list(r) if isinstance(r, list | tuple) else [r] for r in rows]
    else:
        raise DocumentError('rows must be a list of rows or "previous"')
    if len(table) > MAX_ROWS:
        raise DocumentError(f"at most {MAX_ROWS} rows, got {len(table)}")
    return table


def check_parameters(tool: str, params: dict[str, Any]) -> list[str]:
    """Problems with a document action's parameters, found before anything runs."""
    problems: list[str] = []
    ext = tool.removeprefix("create_")
    try:
        safe_output_path(Path("."), str(params.get("filename", "")), ext)
    except DocumentError as exc:
        problems.append(f"{tool}: {exc}")
    rows = params.get("rows", [])
    if rows != PREVIOUS and not isinstance(rows, list):
        problems.append(f'{tool}: rows must be a list of rows or "previous"')
    columns = params.get("columns", [])
    if not isinstance(columns, list):
        problems.append(f"{tool}: columns must be a list of names")
    paragraphs = params.get("paragraphs", [])
    if not isinstance(paragraphs, list | str):
        problems.append(f"{tool}: paragraphs must be a list of strings")
    if not rows and not paragraphs and not params.get("title"):
        problems.append(f"{tool}: nothing to write (give rows or paragraphs)")
    return problems


def _paragraphs(params: dict[str, Any]) -> list[str]:
    value = params.get("paragraphs") or []
    return [value] if isinstance(value, str) else [str(p) for p in value]


def write_xlsx(path: Path, columns: Sequence[str], rows: Table, sheet: str = "") -> None:
    """Write one sheet: a header row of ``columns`` (if any), then ``rows``."""
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = (sheet or "Sheet1")[:31]
    if columns:
        ws.append(list(columns))
    for row in rows:
        ws.append(list(row))
    workbook.save(path)


def write_docx(
    path: Path, title: str, paragraphs: Sequence[str], columns: Sequence[str], rows: Table
) -> None:
    """Write a heading, paragraphs and (when there are rows) one table."""
    from docx import Document

    document = Document()
    if title:
        document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if rows:
        width = max(len(columns), *(len(r) for r in rows))
        table = document.add_table(rows=0, cols=width)
        for values in ([list(columns)] if columns else []) + rows:
            cells = table.add_row().cells
            for i, value in enumerate(values):
                cells[i].text = str(value)
    document.save(str(path))


def write_pdf(
    path: Path, title: str, paragraphs: Sequence[str], columns: Sequence[str], rows: Table
) -> None:
    """Write a heading, paragraphs and (when there are rows) one table."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    from reportlab.platypus import Table as PdfTable
    from reportlab.platypus.flowables import Flowable

    styles = getSampleStyleSheet()
    story: list[Flowable] = []
    if title:
        story.append(Paragraph(_escape(title), styles["Heading1"]))
    story.extend(Paragraph(_escape(p), styles["BodyText"]) for p in paragraphs)
    if rows:
        data = ([list(columns)] if columns else []) + [[str(c) for c in r] for r in rows]
        # No repeated header rows: a header on every page would split the column's values
        # for anything that reads the text back (the validator among them).
        story.append(PdfTable(data))
    SimpleDocTemplate(str(path), pagesize=A4, title=title or path.stem).build(story)


def _escape(text: str) -> str:
    # reportlab paragraphs are mini-markup; plain text must not be read as tags.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def run_document_action(
    tool: str, params: dict[str, Any], out_dir: Path, previous: str = ""
) -> ActionResult:
    """Run one document action; every failure is a failed ``ActionResult``, never a raise."""
    ext = tool.removeprefix("create_")
    try:
        path = safe_output_path(out_dir, str(params.get("filename", "")), ext)
        columns = [str(c) for c in params.get("columns") or []]
        rows = resolve_rows(params, previous)
        title = str(params.get("title") or "")
        writers: dict[str, Callable[[], None]] = {
            "xlsx": lambda: write_xlsx(path, columns, rows, str(params.get("sheet") or "")),
            "docx": lambda: write_docx(path, title, _paragraphs(params), columns, rows),
            "pdf": lambda: write_pdf(path, title, _paragraphs(params), columns, rows),
        }
        if ext not in writers:
            raise DocumentError(f"unknown document action {tool!r}")
        out_dir.mkdir(parents=True, exist_ok=True)
        writers[ext]()
    except Exception as exc:  # noqa: BLE001 - a failed write is a finding for the review
        return ActionResult(tool=tool, success=False, error=f"{type(exc).__name__}: {exc}"[:500])
    return ActionResult(
        tool=tool,
        success=True,
        files=[str(path)],
        content=f"wrote {path.name} ({len(rows)} rows)",
    )


def is_document_action(tool: str) -> bool:
    """Whether ``tool`` names one of the document actions."""
    return tool in {s.name for s in DOCUMENT_SPECS}

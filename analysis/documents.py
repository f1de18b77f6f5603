"""Open produced files and report what is really inside them.

A tool saying "saved primes.xlsx" proves nothing; the validator needs the rows, paragraphs
and pages that were written. Every reader returns a plain dict and never raises, because a
corrupt file is a validation finding, not a crash.
"""

from __future__ import annotations

import copy
import csv
import functools
import hashlib
from pathlib import Path
from typing import Any


def inspect_document(path: str) -> dict[str, Any]:
    """Describe an xlsx, docx, pdf or csv file; ``error`` is set when it cannot be read.

    Always present: ``path``, ``type`` (the lower-case extension) and ``exists``. A step reads
    its file twice (the rules, then the text the judge and the verdict memo see), so what a
    file's bytes parse to is kept for those bytes; a rewritten file is parsed again.
    """
    file = Path(path)
    kind = file.suffix.lower().lstrip(".")
    info: dict[str, Any] = {"path": str(file), "type": kind, "exists": file.is_file()}
    if not info["exists"]:
        info["error"] = "file does not exist"
        return info
    if kind not in _READERS:
        info["error"] = f"unsupported file type: {kind or 'none'}"
        return info
    try:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError as exc:
        info["error"] = f"could not open {file.name}: {type(exc).__name__}: {exc}"
        return info
    return {**info, **copy.deepcopy(_parsed(str(file), digest))}


@functools.lru_cache(maxsize=16)
def _parsed(path: str, digest: str) -> dict[str, Any]:
    """What the reader finds in the file at ``path`` whose bytes hash to ``digest``."""
    file = Path(path)
    try:
        return _READERS[file.suffix.lower().lstrip(".")](file)
    except Exception as exc:  # noqa: BLE001 - any library failure means "unreadable file"
        return {"error": f"could not open {file.name}: {type(exc).__name__}: {exc}"}


def _cell(value: Any) -> Any:
    # openpyxl returns floats for numbers typed as 2.0; compare them as the ints they are.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read_xlsx(file: Path) -> dict[str, Any]:
    from openpyxl import load_workbook

    workbook = load_workbook(file, read_only=True, data_only=True)
    try:
        sheets = []
        for sheet in workbook.worksheets:
            rows = [
                [_cell(v) for v in row]
                for row in sheet.iter_rows(values_only=True)
                if any(v is not None for v in row)
            ]
            sheets.append(
                {"name": sheet.title, "rows": rows, "n_rows": len(rows), "header": _header(rows)}
            )
    finally:
        workbook.close()
    first = sheets[0] if sheets else {"rows": [], "header": []}
    return {
        "sheets": sheets,
        "sheet_names": [s["name"] for s in sheets],
        "rows": first["rows"],
        "header": first["header"],
    }


def _header(rows: list[list[Any]]) -> list[str]:
    """The first row when it is made of labels; a first row of numbers is data, not a header."""
    if not rows:
        return []
    first = rows[0]
    if all(isinstance(v, str) or v is None for v in first):
        return [str(v).strip() if v is not None else "" for v in first]
    return []


def _read_docx(file: Path) -> dict[str, Any]:
    from docx import Document

    document = Document(str(file))
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    text = "\n".join(paragraphs + ["\n".join(", ".join(r) for r in t) for t in tables])
    return {
        "paragraphs": paragraphs,
        "n_paragraphs": len(paragraphs),
        "tables": tables,
        "text": text,
    }


def _read_pdf(file: Path) -> dict[str, Any]:
    from pypdf import PdfReader

    reader = PdfReader(str(file))
    pages = [page.extract_text() or "" for page in reader.pages]
    return {"n_pages": len(pages), "pages": pages, "text": "\n".join(pages)}


def _read_csv(file: Path) -> dict[str, Any]:
    with file.open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    # Every CSV cell is a string, so a header is a first row with a non-numeric cell.
    has_header = bool(rows) and any(not _is_number(c) for c in rows[0] if c.strip())
    return {"rows": rows, "n_rows": len(rows), "header": rows[0] if has_header else []}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_READERS = {
    "xlsx": _read_xlsx,
    "xlsm": _read_xlsx,
    "docx": _read_docx,
    "pdf": _read_pdf,
    "csv": _read_csv,
}

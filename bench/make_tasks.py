"""Generate the benchmark task files (``bench/tasks/suite.jsonl`` and ``heldout.jsonl``).

The JSONL files are the source of truth and are committed; this script documents how they
were made and regenerates them (``python -m bench.make_tasks``). Expected values are
computed here independently of the agent's own verifiers, so a bug in the agent's validator
cannot make a wrong answer pass the benchmark's checker.

Each task carries a ``solution`` (a correct answer text and, where it applies, a correct
program). Only the scripted model reads it: that is the model's "knowledge"; the flaws in
its profile are applied on top. Real models never see it.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
DATA = HERE / "data"


def primes(n: int) -> list[int]:
    out: list[int] = []
    k = 2
    while len(out) < n:
        if all(k % p for p in out):
            out.append(k)
        k += 1
    return out


def fibonacci(n: int) -> list[int]:
    out = [0, 1]
    while len(out) < n:
        out.append(out[-1] + out[-2])
    return out[:n]


def joined(values: list[Any]) -> str:
    return ", ".join(str(v) for v in values)


def task(
    tid: str,
    pattern: str,
    split: str,
    kind: str,
    request: str,
    checker: str,
    args: dict[str, Any],
    answer: str = "",
    code: str = "",
    files: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "id": tid,
        "pattern": pattern,
        "split": split,
        "kind": kind,
        "request": request,
        "files": files or [],
        "checker": {"name": checker, "args": args},
        "solution": {"answer": answer, "code": code},
    }


# Programs are written the way a competent model writes them: the request's count as a named
# literal on its own line (``n = 25``), so a verified program can be reused with other values.
PRIMES_CODE = """n = {n}
primes = []
k = 2
while len(primes) < n:
    if all(k % p for p in primes):
        primes.append(k)
    k += 1
print(", ".join(str(p) for p in primes))"""

FIB_CODE = """n = {n}
fib = [0, 1]
while len(fib) < n:
    fib.append(fib[-1] + fib[-2])
print(", ".join(str(x) for x in fib[:n]))"""

SQUARES_CODE = """n = {n}
print(", ".join(str(i * i) for i in range(1, n + 1)))"""

MULT_CODE = """n = {n}
k = {k}
print(", ".join(str(k * i) for i in range(1, n + 1)))"""

LIST_CODE = """values = {values!r}
print(", ".join(str(v) for v in {expr}))"""

VALUE_CODE = """print({expr})"""


def seq_tasks(split: str) -> list[dict[str, Any]]:
    out = []
    train = split == "train"
    prime_reqs = (
        [
            ("List the first {n} prime numbers", 10),
            ("Calculate the first {n} prime numbers", 25),
            ("Give me the first {n} primes", 40),
            ("What are the first {n} prime numbers?", 15),
            ("Calculate the first {n} prime numbers", 100),
        ]
        if train
        else [
            ("I need the initial {n} prime numbers, please", 30),
            ("Show the first {n} primes, smallest first", 12),
        ]
    )
    for i, (req, n) in enumerate(prime_reqs):
        out.append(
            task(
                f"primes-{split}-{i}",
                "primes",
                split,
                "data",
                req.format(n=n),
                "numbers",
                {"expected": primes(n)},
                joined(primes(n)),
                PRIMES_CODE.format(n=n),
            )
        )
    fib_reqs = (
        [
            ("List the first {n} Fibonacci numbers", 10),
            ("Calculate the first {n} Fibonacci numbers", 20),
            ("Give me the first {n} numbers of the Fibonacci sequence", 12),
            ("What are the first {n} Fibonacci numbers?", 30),
        ]
        if train
        else [
            ("Produce the opening {n} terms of the Fibonacci sequence", 15),
            ("I'd like the first {n} Fibonacci numbers", 25),
        ]
    )
    for i, (req, n) in enumerate(fib_reqs):
        out.append(
            task(
                f"fib-{split}-{i}",
                "fibonacci",
                split,
                "data",
                req.format(n=n),
                "numbers",
                {"expected": fibonacci(n), "alternatives": [fibonacci(n + 1)[1:]]},
                joined(fibonacci(n)),
                FIB_CODE.format(n=n),
            )
        )
    sq_reqs = (
        [
            ("List the first {n} square numbers", 8),
            ("Calculate the first {n} perfect squares", 12),
            ("Give me the first {n} square numbers", 20),
            ("What are the first {n} perfect squares?", 50),
        ]
        if train
        else [
            ("Show me the squares of the integers 1 through {n}", 15),
            ("I need the first {n} perfect squares in order", 30),
        ]
    )
    for i, (req, n) in enumerate(sq_reqs):
        vals = [j * j for j in range(1, n + 1)]
        out.append(
            task(
                f"squares-{split}-{i}",
                "squares",
                split,
                "data",
                req.format(n=n),
                "numbers",
                {"expected": vals},
                joined(vals),
                SQUARES_CODE.format(n=n),
            )
        )
    mult_reqs = (
        [
            ("List the first {n} multiples of {k}", 10, 7),
            ("Give me the first {n} multiples of {k}", 15, 3),
            ("Calculate the first {n} multiples of {k}", 20, 12),
            ("What are the first {n} multiples of {k}?", 40, 9),
        ]
        if train
        else [
            ("Show the first {n} positive multiples of {k}", 12, 6),
            ("I want the first {n} multiples of the number {k}", 25, 11),
        ]
    )
    for i, (req, n, k) in enumerate(mult_reqs):
        vals = [k * j for j in range(1, n + 1)]
        out.append(
            task(
                f"multiples-{split}-{i}",
                "multiples",
                split,
                "data",
                req.format(n=n, k=k),
                "numbers",
                {"expected": vals},
                joined(vals),
                MULT_CODE.format(n=n, k=k),
            )
        )
    return out


def list_tasks(split: str) -> list[dict[str, Any]]:
    items = (
        [
            (
                "Sort these numbers in ascending order: {v}",
                [42, 7, 19, 3, 88, 21, 5],
                "sorted(values)",
            ),
            (
                "Sort these numbers in descending order: {v}",
                [12, 45, 3, 27, 9, 31],
                "sorted(values, reverse=True)",
            ),
            (
                "Remove the duplicates from this list, keeping the first occurrence of each: {v}",
                [4, 8, 4, 15, 16, 8, 23, 42, 15],
                "list(dict.fromkeys(values))",
            ),
            (
                "Sort these numbers in ascending order and remove duplicates: {v}",
                [9, 2, 7, 2, 9, 5, 1, 7],
                "sorted(set(values))",
            ),
        ]
        if split == "train"
        else [
            ("Put these values in increasing order: {v}", [31, 4, 15, 9, 26, 5], "sorted(values)"),
            (
                "Drop the repeated numbers from {v}, keeping the first occurrence of each",
                [6, 1, 6, 3, 1, 8, 3],
                "list(dict.fromkeys(values))",
            ),
        ]
    )
    out = []
    for i, (req, values, expr) in enumerate(items):
        result = eval(expr, {"values": values})  # noqa: S307 - our own constant expressions
        out.append(
            task(
                f"sortdedupe-{split}-{i}",
                "sort_dedupe",
                split,
                "data",
                req.format(v=joined(values)),
                "numbers",
                {"expected": result},
                joined(result),
                LIST_CODE.format(values=values, expr=expr),
            )
        )
    return out


def conversion_tasks(split: str) -> list[dict[str, Any]]:
    items = (
        [
            ("Convert 12 km to miles", 12 / 1.609344, "12 / 1.609344"),
            ("Convert 150 pounds to kilograms", 150 * 0.45359237, "150 * 0.45359237"),
            ("Convert 5 miles to kilometers", 5 * 1.609344, "5 * 1.609344"),
            ("How many feet are in 100 meters?", 100 / 0.3048, "100 / 0.3048"),
        ]
        if split == "train"
        else [
            ("How many miles is 42.195 km?", 42.195 / 1.609344, "42.195 / 1.609344"),
            ("Express 80 kg in pounds", 80 / 0.45359237, "80 / 0.45359237"),
        ]
    )
    return [
        task(
            f"convert-{split}-{i}",
            "unit_conversion",
            split,
            "data",
            req,
            "value",
            {"expected": val, "rel_tol": 0.005},
            f"{val:.4f}",
            VALUE_CODE.format(expr=f"round({expr}, 4)"),
        )
        for i, (req, val, expr) in enumerate(items)
    ]


def arithmetic_tasks(split: str) -> list[dict[str, Any]]:
    items = (
        [
            ("What is 1234 * 5678?", "1234 * 5678"),
            ("Calculate 2 ** 40", "2 ** 40"),
            ("What is the sum of the integers from 1 to 500?", "sum(range(1, 501))"),
            ("Compute 98765 - 43210 + 1111", "98765 - 43210 + 1111"),
        ]
        if split == "train"
        else [
            ("Multiply 4321 by 8765", "4321 * 8765"),
            ("Add up every whole number from 1 to 250", "sum(range(1, 251))"),
        ]
    )
    out = []
    for i, (req, expr) in enumerate(items):
        val = eval(expr)  # noqa: S307 - our own constant expressions
        out.append(
            task(
                f"arith-{split}-{i}",
                "arithmetic",
                split,
                "data",
                req,
                "value",
                {"expected": val, "rel_tol": 0.0},
                str(val),
                VALUE_CODE.format(expr=expr),
            )
        )
    return out


def _csv_text(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().strip()


CSV_CODE = """import csv, sys
rows = [{row_expr} for n in range({lo}, {hi} + 1)]
w = csv.writer(sys.stdout, lineterminator="\\n")
w.writerow({header!r})
w.writerows(rows)"""

JSON_CODE = """import json
words = {words!r}
print(json.dumps([{{{fields}}} for w in words]))"""


def format_tasks(split: str) -> list[dict[str, Any]]:
    out = []
    csv_items = (
        [
            (
                "Produce a CSV with columns n and square for n from 1 to 10",
                ["n", "square"],
                "[n, n * n]",
                1,
                10,
                lambda n: [n, n * n],
            ),
            (
                "Make a CSV table with columns n, cube for n from 1 to 8",
                ["n", "cube"],
                "[n, n ** 3]",
                1,
                8,
                lambda n: [n, n**3],
            ),
        ]
        if split == "train"
        else [
            (
                "Give me CSV data with the columns n and double for n from 1 to 12",
                ["n", "double"],
                "[n, 2 * n]",
                1,
                12,
                lambda n: [n, 2 * n],
            )
        ]
    )
    for i, (req, header, row_expr, lo, hi, fn) in enumerate(csv_items):
        rows = [fn(n) for n in range(lo, hi + 1)]
        out.append(
            task(
                f"csv-{split}-{i}",
                "csv_json",
                split,
                "data",
                req,
                "csv",
                {"header": header, "rows": rows},
                _csv_text(header, rows),
                CSV_CODE.format(row_expr=row_expr, lo=lo, hi=hi, header=header),
            )
        )
    json_items = (
        [
            (
                "Return a JSON array of objects with fields word and length for the words: "
                "apple, kiwi, banana, fig",
                ["apple", "kiwi", "banana", "fig"],
                ["word", "length"],
            ),
            (
                "Return a JSON array of objects with fields word and upper for the words: "
                "red, green, blue",
                ["red", "green", "blue"],
                ["word", "upper"],
            ),
        ]
        if split == "train"
        else [
            (
                "As JSON, list objects with the fields word and length for: cherry, plum, mango",
                ["cherry", "plum", "mango"],
                ["word", "length"],
            )
        ]
    )
    for i, (req, words, fields) in enumerate(json_items):

        def rec(w: str, fields: list[str] = fields) -> dict[str, Any]:
            return {
                f: (w if f == "word" else len(w) if f == "length" else w.upper()) for f in fields
            }

        records = [rec(w) for w in words]
        src = ", ".join(
            f'"{f}": ' + ("w" if f == "word" else "len(w)" if f == "length" else "w.upper()")
            for f in fields
        )
        out.append(
            task(
                f"json-{split}-{i}",
                "csv_json",
                split,
                "data",
                req,
                "json",
                {"records": records},
                json.dumps(records),
                JSON_CODE.format(words=words, fields=src),
            )
        )
    return out


def _sales() -> list[dict[str, str]]:
    with (DATA / "sales.csv").open() as fh:
        return list(csv.DictReader(fh))


def _temps() -> list[dict[str, str]]:
    with (DATA / "temps.csv").open() as fh:
        return list(csv.DictReader(fh))


def analysis_tasks(split: str) -> list[dict[str, Any]]:
    sales, temps = _sales(), _temps()
    inline = "region,amount\nNorth,5\nSouth,3\nNorth,2\nEast,7\nNorth,4"
    items: list[tuple[str, float, str, list[str]]]
    if split == "train":
        items = [
            (
                "Using the attached file sales.csv, what is the total of the amount column?",
                round(sum(float(r["amount"]) for r in sales), 2),
                "import csv\nrows = list(csv.DictReader(open('sales.csv')))\n"
                "print(round(sum(float(r['amount']) for r in rows), 2))",
                ["bench/data/sales.csv"],
            ),
            (
                "How many rows of the attached file sales.csv have region North?",
                sum(r["region"] == "North" for r in sales),
                "import csv\nrows = list(csv.DictReader(open('sales.csv')))\n"
                "print(sum(r['region'] == 'North' for r in rows))",
                ["bench/data/sales.csv"],
            ),
            (
                "Using the attached file temps.csv, what is the mean of the temp_c column?",
                round(statistics.mean(float(r["temp_c"]) for r in temps), 3),
                "import csv, statistics\nrows = list(csv.DictReader(open('temps.csv')))\n"
                "print(round(statistics.mean(float(r['temp_c']) for r in rows), 3))",
                ["bench/data/temps.csv"],
            ),
            (
                "Given this data, what is the mean amount?\n" + inline,
                4.2,
                "amounts = [5, 3, 2, 7, 4]\nprint(sum(amounts) / len(amounts))",
                [],
            ),
            (
                "Given this data, how many units were sold in total?\nproduct,units\nwidget,3\n"
                "gadget,5\ngizmo,4\nwidget,6",
                18,
                "units = [3, 5, 4, 6]\nprint(sum(units))",
                [],
            ),
        ]
    else:
        items = [
            (
                "From the attached sales.csv, count the rows whose product is widget",
                sum(r["product"] == "widget" for r in sales),
                "import csv\nrows = list(csv.DictReader(open('sales.csv')))\n"
                "print(sum(r['product'] == 'widget' for r in rows))",
                ["bench/data/sales.csv"],
            ),
            (
                "Here is some data; tell me the average amount.\n" + inline,
                4.2,
                "amounts = [5, 3, 2, 7, 4]\nprint(sum(amounts) / len(amounts))",
                [],
            ),
        ]
    return [
        task(
            f"analysis-{split}-{i}",
            "analysis",
            split,
            "data",
            req,
            "value",
            {"expected": val, "rel_tol": 0.001},
            str(val),
            code,
            files,
        )
        for i, (req, val, code, files) in enumerate(items)
    ]


def code_tasks(split: str) -> list[dict[str, Any]]:
    items = (
        [
            (
                "Write a Python function is_palindrome(s) that returns True if the string s "
                "reads the same backwards, ignoring case",
                "is_palindrome",
                "def is_palindrome(s):\n    s = s.lower()\n    return s == s[::-1]",
                [[["Racecar"], True], [["abc"], False], [[""], True]],
            ),
            (
                "Write a Python function fizzbuzz(n) that returns 'Fizz' for multiples of 3, "
                "'Buzz' for multiples of 5, 'FizzBuzz' for both, and str(n) otherwise",
                "fizzbuzz",
                "def fizzbuzz(n):\n    if n % 15 == 0:\n        return 'FizzBuzz'\n"
                "    if n % 3 == 0:\n        return 'Fizz'\n"
                "    if n % 5 == 0:\n        return 'Buzz'\n    return str(n)",
                [[[15], "FizzBuzz"], [[9], "Fizz"], [[10], "Buzz"], [[7], "7"]],
            ),
            (
                "Write a Python function gcd(a, b) that returns the greatest common divisor of two "
                "positive integers",
                "gcd",
                "def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a",
                [[[12, 18], 6], [[17, 5], 1], [[100, 75], 25]],
            ),
            (
                "Write a Python function word_count(text) that returns a dict mapping each "
                "lower-cased word to how often it occurs",
                "word_count",
                "def word_count(text):\n    counts = {}\n    for w in text.lower().split():\n"
                "        counts[w] = counts.get(w, 0) + 1\n    return counts",
                [[["a b A"], {"a": 2, "b": 1}], [[""], {}]],
            ),
        ]
        if split == "train"
        else [
            (
                "I need Python code: a function factorial(n) returning n! for n >= 0",
                "factorial",
                "def factorial(n):\n    out = 1\n    for i in range(2, n + 1):\n        out *= i\n"
                "    return out",
                [[[0], 1], [[5], 120], [[10], 3628800]],
            ),
            (
                "Please write a Python function reverse_words(s) that reverses the order of the "
                "words in a sentence",
                "reverse_words",
                "def reverse_words(s):\n    return ' '.join(reversed(s.split()))",
                [[["hello big world"], "world big hello"], [["one"], "one"]],
            ),
        ]
    )
    return [
        task(
            f"code-{split}-{i}",
            "code",
            split,
            "code",
            req,
            "python_tests",
            {"function": fn, "cases": cases},
            f"```python\n{src}\n```",
            "",
        )
        for i, (req, fn, src, cases) in enumerate(items)
    ]


XLSX_CODE = """from openpyxl import Workbook
wb = Workbook()
ws = wb.active
ws.append({header!r})
for n in range(1, {hi} + 1):
    ws.append({row})
wb.save({name!r})"""

DOCX_CODE = """from docx import Document
doc = Document()
doc.add_heading({title!r}, level=1)
doc.add_paragraph({body!r})
doc.save({name!r})"""

PDF_CODE = """from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
c = canvas.Canvas({name!r}, pagesize=A4)
y = 800
for line in {lines!r}:
    c.drawString(72, y, line)
    y -= 18
c.save()"""


def document_tasks(split: str) -> list[dict[str, Any]]:
    out = []
    if split == "train":
        xl = [
            (
                "Create an Excel spreadsheet with columns n and square for n = 1..10",
                ["n", "square"],
                "[n, n * n]",
                10,
                lambda n: [n, n * n],
            ),
            (
                "Create an xlsx file with columns n and cube for n from 1 to 6",
                ["n", "cube"],
                "[n, n ** 3]",
                6,
                lambda n: [n, n**3],
            ),
        ]
        docs = [
            (
                "Create a Word document titled Quarterly Report containing the sentence "
                "'Sales grew by 12 percent.'",
                "Quarterly Report",
                "Sales grew by 12 percent.",
            )
        ]
        pdfs = [
            (
                "Create a PDF file that lists the first 10 prime numbers, one per line",
                [str(p) for p in primes(10)],
            )
        ]
    else:
        xl = [
            (
                "Make me a spreadsheet (xlsx) with the columns n and double for n = 1..8",
                ["n", "double"],
                "[n, 2 * n]",
                8,
                lambda n: [n, 2 * n],
            )
        ]
        docs = [
            (
                "Write a docx file with the heading Meeting Notes and the line "
                "'Next meeting on Monday.'",
                "Meeting Notes",
                "Next meeting on Monday.",
            )
        ]
        pdfs = []
    for i, (req, header, row, hi, fn) in enumerate(xl):
        rows = [fn(n) for n in range(1, hi + 1)]
        out.append(
            task(
                f"xlsx-{split}-{i}",
                "documents",
                split,
                "document",
                req,
                "xlsx",
                {"header": header, "rows": rows},
                "",
                XLSX_CODE.format(header=header, hi=hi, row=row, name="table.xlsx"),
            )
        )
    for i, (req, title, body) in enumerate(docs):
        out.append(
            task(
                f"docx-{split}-{i}",
                "documents",
                split,
                "document",
                req,
                "docx",
                {"contains": [title, body]},
                "",
                DOCX_CODE.format(title=title, body=body, name="document.docx"),
            )
        )
    for i, (req, lines) in enumerate(pdfs):
        out.append(
            task(
                f"pdf-{split}-{i}",
                "documents",
                split,
                "document",
                req,
                "pdf",
                {"numbers": [int(x) for x in lines]},
                "",
                PDF_CODE.format(lines=lines, name="primes.pdf"),
            )
        )
    return out


def build(split: str) -> list[dict[str, Any]]:
    return (
        seq_tasks(split)
        + list_tasks(split)
        + conversion_tasks(split)
        + arithmetic_tasks(split)
        + format_tasks(split)
        + analysis_tasks(split)
        + code_tasks(split)
        + document_tasks(split)
    )


def main() -> None:
    for split, name in (("train", "suite.jsonl"), ("heldout", "heldout.jsonl")):
        rows = build(split)
        path = HERE / "tasks" / name
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        print(f"{path}: {len(rows)} tasks, {len({r['pattern'] for r in rows})} patterns")


if __name__ == "__main__":
    main()

"""Document requests produce real files that the test re-opens; the validator opened them too."""

from pathlib import Path

import pytest
from docx import Document
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore
from openpyxl import load_workbook
from pypdf import PdfReader

from adaptive_react.agent import create_workflow_agent
from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.state.workflow import ActionList, PlannedAction, TaskPlan, TaskStep
from adaptive_react.tools.documents import run_document_action, safe_output_path
from tests.helpers import Router

PRIMES = expected_sequence("prime", 100)
PRIME_CODE = (
    "ps = []\nk = 2\nwhile len(ps) < 100:\n    if all(k % p for p in ps):\n        ps.append(k)\n"
    "    k += 1\nprint(', '.join(map(str, ps)))\n"
)


def run_document_request(request, tool, filename, columns, out_dir):
    router = Router(
        task_plan=[TaskPlan(tasks=[TaskStep(objective=request)])],
        actions=[
            ActionList(
                actions=[
                    PlannedAction(
                        tool="python", parameters={"code": PRIME_CODE}, rationale="compute"
                    ),
                    PlannedAction(
                        tool=tool,
                        parameters={"filename": filename, "columns": columns, "rows": "previous"},
                        rationale="write",
                    ),
                ]
            )
        ],
    )
    agent = create_workflow_agent(
        ScriptedChatModel(script=router),
        store=InMemoryStore(),
        checkpointer=InMemorySaver(),
        output_dir=str(out_dir),
    )
    out = agent.invoke(
        {"request": request, "mode": "actionplan"}, {"configurable": {"thread_id": f"doc-{tool}"}}
    )
    return out


def test_excel_sheet_with_columns_n_and_prime(tmp_path):
    out = run_document_request(
        "Put the first 100 primes in an Excel sheet with columns n and prime",
        "create_xlsx",
        "primes.xlsx",
        ["n", "prime"],
        tmp_path,
    )

    assert out["success"] is True, out["final_message"]
    path = Path(out["files_out"][0])
    assert path == tmp_path / "primes.xlsx"
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("n", "prime")
    assert [r[0] for r in rows[1:]] == list(range(1, 101))
    assert [r[1] for r in rows[1:]] == PRIMES
    criteria = out["task_results"][0].steps[0]
    assert criteria.success and criteria.quality_score == 1.0


def test_word_document(tmp_path):
    out = run_document_request(
        "Write the first 100 prime numbers into a Word document",
        "create_docx",
        "primes.docx",
        ["prime"],
        tmp_path,
    )

    assert out["success"] is True, out["final_message"]
    table = Document(out["files_out"][0]).tables[0]
    values = [row.cells[0].text for row in table.rows]
    assert values[0] == "prime" and [int(v) for v in values[1:]] == PRIMES


def test_pdf(tmp_path):
    out = run_document_request(
        "Write the first 100 prime numbers into a PDF file",
        "create_pdf",
        "primes.pdf",
        ["prime"],
        tmp_path,
    )

    assert out["success"] is True, out["final_message"]
    text = "".join(page.extract_text() for page in PdfReader(out["files_out"][0]).pages)
    numbers = [int(tok) for tok in text.split() if tok.isdigit()]
    assert numbers == PRIMES


def test_wrong_content_in_the_file_fails_review(tmp_path):
    bad = "print(', '.join(str(n) for n in range(2, 102)))\n"
    request = "Put the first 100 primes in an Excel sheet with columns n and prime"
    router = Router(
        task_plan=[TaskPlan(tasks=[TaskStep(objective=request)])],
        actions=[
            ActionList(
                actions=[
                    PlannedAction(tool="python", parameters={"code": bad}),
                    PlannedAction(
                        tool="create_xlsx",
                        parameters={
                            "filename": "p.xlsx",
                            "columns": ["n", "prime"],
                            "rows": "previous",
                        },
                    ),
                ]
            )
        ],
    )
    agent = create_workflow_agent(
        ScriptedChatModel(script=router), store=InMemoryStore(), output_dir=str(tmp_path)
    )
    out = agent.invoke({"request": request, "mode": "actionplan"})
    assert out["success"] is False
    assert any("prime" in i for i in out["task_results"][0].steps[0].issues)
    # The retry prompt told the planner what the file got wrong.
    assert "FINDINGS TO FIX" in router.prompts["actions"][1]


@pytest.mark.parametrize(
    "name",
    ["../evil.xlsx", "/tmp/evil.xlsx", "sub/evil.xlsx", "..", "evil.xlsx.exe", ".hidden.xlsx"],
)
def test_path_traversal_is_refused(tmp_path, name):
    result = run_document_action("create_xlsx", {"filename": name, "rows": [[1]]}, tmp_path)
    assert result.success is False and result.files == []
    assert not list(tmp_path.parent.glob("evil*"))
    with pytest.raises(ValueError):
        safe_output_path(tmp_path, name, "xlsx")

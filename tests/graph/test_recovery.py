"""Recovery after a failed program, through the whole loop, on a scripted model and the real
sandbox: a retry repairs the program from what it printed, a repeated output is no new idea,
and a missing module or a traceback becomes a precise instruction."""

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.prompts import templates
from adaptive_react.state import (
    ActionSelection,
    Criterion,
    CriterionKind,
    DataType,
    Intent,
    OutputFormat,
)
from tests.helpers import Router

REQUEST = "Give me the first 60 prime numbers"
PRIMES = expected_sequence("prime", 60)
PLAN = ActionSelection(tool="python", parameters={"task": REQUEST})
INTENT = Intent(
    data_type=DataType.NUMBERS,
    expected_format=OutputFormat.RAW_DATA,
    success_criteria=[
        Criterion(kind=CriterionKind.COUNT, value=60),
        Criterion(kind=CriterionKind.PROPERTY, value="prime"),
    ],
    subject="prime numbers",
)


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


BOUNDED = fenced(
    "primes = [n for n in range(2, 100) if all(n % d for d in range(2, n))]\n"
    "print(', '.join(map(str, primes)))"
)
# A bound code cannot lift by itself (a while test): the model is asked to repair it.
WHILE_BOUNDED = fenced(
    "primes = []\nn = 2\nwhile n < 100:\n"
    "    if all(n % d for d in range(2, n)):\n        primes.append(n)\n"
    "    n += 1\nprint(', '.join(map(str, primes)))"
)
# The same 25 primes, printed another way: no new output.
BOUNDED_AGAIN = fenced("print([n for n in range(2, 100) if all(n % d for d in range(2, n))])")
COUNTED = fenced(
    "found = []\nn = 2\nwhile len(found) < 60:\n"
    "    if all(n % d for d in range(2, n)):\n        found.append(n)\n"
    "    n += 1\nprint(', '.join(map(str, found)))"
)


def run(router: Router, **kwargs):
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        store=InMemoryStore(),
        checkpointer=InMemorySaver(),
        **kwargs,
        plan_by_rules=False,
    )
    config = {"configurable": {"thread_id": "recovery"}}
    out = agent.invoke({"request": REQUEST}, config)
    return out, agent.get_state(config).values


def test_a_fixed_bound_program_is_repaired_from_what_it_printed():
    router = Router(intent=[INTENT], plan=[PLAN], codegen=[WHILE_BOUNDED, COUNTED])
    out, state = run(router)

    assert out["success"] is True
    assert out["deliverable"] == ", ".join(map(str, PRIMES))
    # The retry is a repair decided without a planning call: one call fewer per retry.
    assert router.seen == ["intent", "plan", "codegen", "codegen"]
    assert out["model_calls"] == 4
    repair = router.prompts["codegen"][1]
    assert "THIS PROGRAM WAS RUN FOR THE TASK" in repair
    assert "while n < 100:" in repair  # the previous program itself
    assert "2, 3, 5, 7, 11" in repair and "89, 97" in repair  # its output, head and tail
    assert "the list has 25 items" in repair  # what the validator found
    assert "loop until the count is reached, not up to a fixed bound" in repair
    assert "`n < 100`" in repair
    # Never the answer key: no expected item beyond what the program itself printed.
    assert str(PRIMES[-1]) not in repair  # the 60th prime, the answer key, is never shown
    assert [a.approach for a in state["attempts"]] == ["first", "repair"]


def test_an_identical_output_is_a_repeat_and_the_run_stops_when_out_of_ideas():
    router = Router(
        intent=[INTENT], plan=[PLAN], codegen=[WHILE_BOUNDED, BOUNDED_AGAIN, BOUNDED_AGAIN]
    )
    out, state = run(router)

    assert out["success"] is False
    attempts = state["attempts"]
    assert [a.approach for a in attempts] == ["first", "repair", "fresh"]
    assert [a.repeat for a in attempts] == [False, True, True]
    assert len({a.output_key for a in attempts}) == 1
    # A repeat is not repaired again: the next try is another framing, not the same question.
    fresh = router.prompts["codegen"][2]
    assert "Write a new program from scratch" in fresh and "THIS PROGRAM WAS RUN" not in fresh
    assert "out of new ideas" in state["decision"].reason
    assert "1 distinct outputs in 3 attempts" in state["decision"].reason
    assert len(out["steps"]) == 3  # well inside the 8-step budget
    assert str(PRIMES[-1]) not in fresh


def test_a_failed_repair_is_followed_by_other_framings_then_another_tool():
    bad = [
        fenced(f"print(', '.join(str(p) for p in {PRIMES[:k]}))") for k in (5, 9, 13, 17, 21, 25)
    ]
    router = Router(intent=[INTENT], plan=[PLAN], codegen=bad, ai=["2, 3, 5"])
    out, state = run(router)

    assert [a.approach for a in state["attempts"]] == [
        "first",
        "repair",
        "fresh",
        "repair",
        "short",
        "repair",
        "ai_data",
    ]
    assert not any(a.repeat for a in state["attempts"])
    assert router.seen.count("plan") == 1
    assert templates.REFRAME_SHORT.split("\n")[-2][:30] in router.prompts["codegen"][4]
    assert "every approach was tried" in state["decision"].reason
    assert out["success"] is False


def test_a_missing_module_yields_the_installed_module_list():
    missing = fenced("import primeslib\nprint(primeslib.first(60))")
    router = Router(intent=[INTENT], plan=[PLAN], codegen=[missing, COUNTED])
    out, state = run(router)

    assert out["success"] is True
    first = state["attempts"][0]
    assert "module 'primeslib' is not available in the sandbox" in (first.error or "")
    repair = router.prompts["codegen"][1]
    assert "Module primeslib is not available here" in repair
    for name in ("numpy", "pandas", "sympy"):
        assert name in repair
    # The first prompt already named what may be imported.
    assert "numpy, pandas, sympy" in router.prompts["codegen"][0]


def test_an_error_gives_the_traceback_last_lines():
    crash = fenced("values = [3, 1, 0]\nprint([12 // v for v in values])")
    router = Router(intent=[INTENT], plan=[PLAN], codegen=[crash, COUNTED])
    out, _ = run(router)

    assert out["success"] is True
    repair = router.prompts["codegen"][1]
    assert "It stopped with this error" in repair
    assert 'File "<action>", line 2' in repair
    assert "print([12 // v for v in values])" in repair
    assert "ZeroDivisionError: integer division or modulo by zero" in repair
    assert "_runner.py" not in repair  # the sandbox's own frames are not the program's


@pytest.mark.parametrize(
    "program",
    [
        "import numpy as np\nprint(', '.join(str(x) for x in np.array([2, 3, 5, 7])))",
        "import pandas as pd\nprint(', '.join(map(str, pd.Series([2, 3, 5, 7]).tolist())))",
        "from sympy import prime\nprint(', '.join(str(prime(i)) for i in range(1, 5)))",
    ],
)
def test_numeric_packages_import_in_the_loop(program):
    router = Router(plan=[ActionSelection(tool="python", parameters={"code": program})])
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router), store=InMemoryStore(), plan_by_rules=False
    )
    out = agent.invoke({"request": "Print the first 4 primes"})
    assert out["steps"][0].error is None
    assert out["success"] is True and out["deliverable"] == "2, 3, 5, 7"


def test_retry_guidance_to_the_planner_and_ai_process_names_no_expected_value():
    ask = ActionSelection(tool="ai_process", parameters={"prompt": REQUEST})
    router = Router(intent=[INTENT], plan=[ask], ai=["2, 3, 5, 7, 9", ", ".join(map(str, PRIMES))])
    out, _ = run(router, allow_python=False)  # the retry is ai_process again, with guidance

    assert out["success"] is True
    retry_prompts = router.prompts["plan"][1:] + router.prompts["ai"][1:]
    assert retry_prompts
    for prompt in retry_prompts:
        assert str(PRIMES[-1]) not in prompt and "(2.." not in prompt


def test_a_fixed_range_bound_is_lifted_by_code_with_no_model_call():
    # The embedded model, told to loop until the count, appended a second loop after its
    # print; the exact edit (count from the start until 60 are found) is made by code.
    router = Router(intent=[INTENT], plan=[PLAN], codegen=[BOUNDED])
    out, state = run(router)
    assert out["success"] is True and out["verdict"] == "verified"
    assert out["deliverable"] == ", ".join(map(str, PRIMES))
    assert router.seen == ["intent", "plan", "codegen"]
    assert [a.approach for a in state["attempts"]] == ["first", "mechanical"]
    assert "itertools.count(2)" in state["attempts"][1].program
    assert "n % d for d in range(2, n)" in state["attempts"][1].program  # the model's own test


def test_a_module_used_but_never_imported_is_imported_by_code():
    missing = fenced("import sympy as sp\nprint(', '.join(map(str, sympy.primerange(2, 282))))")
    router = Router(intent=[INTENT], plan=[PLAN], codegen=[missing])
    out, state = run(router)
    assert out["success"] is True
    assert router.seen == ["intent", "plan", "codegen"]
    assert state["attempts"][1].program.startswith("import sympy\n")


def test_when_the_code_repair_fails_the_model_repairs_that_program():
    # Lifting the bound is not enough when the predicate is wrong (odd numbers, not primes).
    odd = fenced("found = [n for n in range(3, 100) if n % 2]\nprint(', '.join(map(str, found)))")
    router = Router(intent=[INTENT], plan=[PLAN], codegen=[odd, COUNTED])
    out, state = run(router)
    assert out["success"] is True
    assert [a.approach for a in state["attempts"]] == ["first", "mechanical", "repair"]
    assert "itertools.count(3)" in router.prompts["codegen"][1]

"""Model calls per solved request: at most two on first sight, at most one once learned."""

from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.analysis import rules_intent
from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.fakes import ScriptedChatModel
from tests.helpers import Router

SIEVE = """```python
found, n = [], 2
while len(found) < {count}:
    if all(n % p for p in found if p * p <= n):
        found.append(n)
    n += 1
print(", ".join(map(str, found)))
```"""


def _run(agent, request):
    return agent.invoke({"request": request})


def test_a_prime_request_is_solved_in_two_calls_then_in_at_most_one():
    store = InMemoryStore()
    request = "Calculate the first 1000 prime numbers"
    # No planning reply is scripted: none may be asked.
    first = Router(intent=[rules_intent(request)], codegen=[SIEVE.format(count=1000)])
    out = _run(create_adaptive_agent(ScriptedChatModel(script=first), store=store), request)
    assert out["success"] is True
    assert out["deliverable"] == ", ".join(map(str, expected_sequence("prime", 1000)))
    assert first.seen == ["intent", "codegen"] and out["model_calls"] == 2

    # Another wording and count of the same kind of request, on the store the first taught.
    request = "Compute the first 40 primes"
    again = Router(intent=[rules_intent(request)], codegen=[SIEVE.format(count=40)])
    out = _run(create_adaptive_agent(ScriptedChatModel(script=again), store=store), request)
    assert out["success"] is True
    assert out["deliverable"] == ", ".join(map(str, expected_sequence("prime", 40)))
    assert "plan" not in again.seen and out["model_calls"] <= 1

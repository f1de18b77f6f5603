"""Templates and elements of the ``create_agent`` middleware (``adaptive_react.middleware``).

Same rules as ``templates``: jinja2 constants rendered with ``templates.render`` and
``StrictUndefined``. The middleware writes into someone else's agent, so what it adds is
short, and it never carries a value a rule computed: the requirements are shown in the
request's own terms, findings say what is wrong without the reference it was compared with.
"""

from __future__ import annotations

from ..state.models import CriterionKind, Intent

ADAPTIVE_SYSTEM = """\
REQUIREMENTS (read from the user's request; your final answer is checked against them):
- wants: {{ wants }}
- format: {{ format }}
{% for line in requirements %}- {{ line }}
{% endfor %}Deliver the result itself, complete and in that format, as your final answer.
{% if strategies %}
{{ strategies }}
{% endif %}{% if heuristics %}
{{ heuristics }}{% endif %}"""

ADAPTIVE_FINDINGS = """\
Your final answer was checked against the request and was not accepted:
{% for line in findings %}- {{ line }}
{% endfor %}Correct it and give the complete final answer again \
(attempt {{ attempt }} of {{ total }})."""

ADAPTIVE_EARLIER_LEFT_OUT = """\
({{ count }} earlier attempt{{ "s" if count != 1 else "" }} at this request, with the findings \
on {{ "them" if count != 1 else "it" }}, left out to fit the model's context; the latest \
attempt and its findings follow.)"""

ADAPTIVE_FINDING_UNMET = """\
requirement not met: {{ requirement }}"""

ADAPTIVE_FINDING_SHAPE = """\
the answer does not have the requested kind or format of content"""


def requirements(intent: Intent) -> list[str]:
    """The intent's criteria in words, without any value a rule computed.

    A VALUE criterion's value is the rules' own answer ("1234 * 5678 = 7006652"), so it is
    named only as something that is checked; every other description restates the request
    (a count, a property, a range, column names the user gave).
    """
    lines = (
        "the exact value asked for (it is checked)"
        if c.kind == CriterionKind.VALUE
        else c.description or c.kind.value.replace("_", " ")
        for c in intent.success_criteria
    )
    return list(dict.fromkeys(lines))


def reading(intent: Intent) -> str:
    """The rules' reading of a request for the intent model, as safe as the system prompt."""
    lines = [f"- wants: {wants(intent)}", f"- format: {intent.expected_format.value}"]
    lines += [f"- must satisfy: {line}" for line in requirements(intent)]
    return "\n".join(lines)


def wants(intent: Intent) -> str:
    """What kind of content is asked for, with its subject when the rules found one."""
    subject = f" ({intent.subject})" if intent.subject else ""
    return intent.data_type.value + subject

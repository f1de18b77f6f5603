"""Templates of the workflow: task planning, batch action generation and workflow messages.

Same rules as ``templates``: jinja2 constants with ``StrictUndefined``, rendered with
``templates.render``; the nodes hold no prompt or message text of their own.
"""

from __future__ import annotations

TASK_PLAN_SYSTEM = """\
You split a user's request into an ordered task plan before any work is done.
Each task step has an objective, written as a complete request that can be worked on alone,
and success criteria that say how to check it is done.
Use as few steps as possible: a request that is one piece of work is one step.
Never split the delivery of one result across steps; a later step may use an earlier
step's result (it is available to it as a file).
At most {{ max_tasks }} steps."""

TASK_PLAN_USER = """\
{{ objective }}

{{ documents }}{{ history }}Answer with the task plan."""

ACTIONS_SYSTEM = """\
You plan ALL the actions that complete one task, in order, before any of them runs.
Each action names a tool from AVAILABLE TOOLS and gives its parameters.
Results are passed forward: each action can use the result of the action before it.
{{ rules }}"""

ACTIONS_RULES = """\
RULES:
- Use only the tools listed, with their parameter names.
- If the task wants DATA (numbers, lists, calculations), an action must deliver the data
  itself, never a program that would compute it.
- To put data into a file, first produce the data (python or ai_process), then use
  create_xlsx, create_docx or create_pdf with rows "previous" to write the previous result.
- Files given to you are read with the python tool by their name; never ask for their
  content to be pasted.
- At most {{ max_actions }} actions."""

ACTIONS_USER = """\
{{ objective }}

{{ intent }}

{{ documents }}{{ history }}{{ strategies }}

{{ tools }}
{% if findings %}
THE LAST ATTEMPT WAS REVIEWED AND FAILED. FINDINGS TO FIX:
{% for line in findings %}- {{ line }}
{% endfor %}{% endif %}"""

ACTION_WITH_PREVIOUS = """\
{{ prompt }}

RESULT OF THE PREVIOUS ACTION (between the markers):
<<<RESULT
{{ previous }}
RESULT>>>"""

PYTHON_TASK_WITH_PREVIOUS = """\
{{ task }}
The previous action's result is in the file {{ filename }} in the current directory."""

# --- Workflow messages: what the user is told at each phase. -------------------------------

MSG_TASK_PLAN = """\
Plan: {{ tasks|length }} task{{ "" if tasks|length == 1 else "s" }}\
{% if overview %} - {{ overview }}{% endif %}
{% for t in tasks %}{{ loop.index }}. {{ t }}
{% endfor %}{% if repairs %}(repaired: {{ repairs|join("; ") }}){% endif %}"""

MSG_TASK_START = """\
Task {{ index }}/{{ total }} ({{ mode }}): {{ objective }}"""

MSG_ACTION_START = """\
Action {{ action }}: {{ tool }}{% if rationale %} - {{ rationale }}{% endif %}"""

MSG_ACTION_RESULT = """\
Action {{ action }}: {{ tool }} {% if success %}succeeded{% else %}failed\
{% if error %}: {{ error }}{% endif %}{% endif %}\
{% if files %} (files: {{ files|join(", ") }}){% endif %}"""

MSG_RETRY = """\
Task {{ index }}: attempt {{ attempt }} did not pass review; retrying with the findings: \
{{ findings|join("; ") }}"""

MSG_ERROR = """\
{% if index %}Task {{ index }}: {% endif %}{{ error }}"""

MSG_TASK_COMPLETE = """\
Task {{ index }}/{{ total }} {% if success %}done{% else %}not done{% endif %}: {{ summary }}"""

MSG_WORKFLOW_COMPLETE = """\
{% if success %}Workflow complete{% else %}Workflow not complete{% endif %}: \
{{ done }} of {{ total }} task{{ "" if total == 1 else "s" }} delivered."""

WORKFLOW_SUMMARY = """\
{% if success %}Completed{% else %}Not completed{% endif %} in {{ results|length }} \
task{{ "" if results|length == 1 else "s" }}{% if mode %} ({{ mode }} mode){% endif %}.
{% for r in results %}- task {{ r.index }} [{{ r.mode }}] {{ "done" if r.success else "FAILED" }}: \
{{ r.objective }}
{% if not r.success and r.final_message %}  {{ r.final_message.splitlines()[0] }}
{% endif %}{% endfor %}{% if error %}{{ error }}{% endif %}"""

PLAN_REJECTED = """\
The request could not be planned: {{ reason }}"""

ACTIONS_REJECTED = """\
The action list was rejected before anything ran: {{ problems|join("; ") }}"""

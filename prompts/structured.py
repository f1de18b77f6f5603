"""Templates of robust structured output (``adaptive_react.llm.structured``).

Same rules as ``templates``: jinja2 constants rendered with ``templates.render`` and
``StrictUndefined``. ``schema`` is the JSON schema as compact JSON text.
"""

from __future__ import annotations

# For models without a constrained path (plain text, JSON mode): the schema is all they get.
SCHEMA_INSTRUCTION = """\
Reply with only a JSON object (no prose, no code fences) that matches this JSON schema:
{{ schema }}"""

# The one repair turn: the model sees its own answer just before this, then the error.
REPAIR = """\
That reply is not valid: {{ error }}
Reply again with only a corrected JSON object that matches the schema {{ name }}: {{ schema }}"""

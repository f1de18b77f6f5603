"""Deterministic analysis: intent rules, content classification, cleanup and validation.

Everything here is pure code with no model calls, so the graph nodes can rely on it for
verdicts a model would get wrong (is this code or data? are these the first 1000 primes?)
and tests can pin its behaviour exactly.
"""

from .cleanup import clean
from .content import classify, extract_numbers, observe
from .documents import inspect_document
from .intent_rules import extract_parameters, merge_intents, rules_confident, rules_intent
from .validator import validate_content
from .verifiers import (
    VERIFIERS,
    Verifier,
    accepted_sequences,
    expected_sequence,
    register_verifier,
)

__all__ = [
    "VERIFIERS",
    "Verifier",
    "accepted_sequences",
    "classify",
    "clean",
    "expected_sequence",
    "extract_numbers",
    "extract_parameters",
    "inspect_document",
    "merge_intents",
    "observe",
    "register_verifier",
    "rules_confident",
    "rules_intent",
    "validate_content",
]

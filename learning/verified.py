"""Verdicts already earned: the same answer to the same request needs no second proof.

The checks that cost model calls (tests the model writes, a second route, a judge) were
measured to keep a learned task at three calls a run when the answer it repeats had already
been verified. A verified validation is kept under a fingerprint of everything it stood on:
the request, the files' contents, the intent, the delivered text and the settings that choose
the evidence. Only an exact repeat is recalled, and its criteria say so; nothing here reaches
a producer's prompt, since the key is a digest and the value is the validator's own verdict.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime

from langgraph.store.base import BaseStore

from ..state.models import Intent, Validation
from .store_io import ROOT, put

_log = logging.getLogger(__name__)

# Bumped when what a verdict depends on changes (new evidence kinds, stricter rules), so a
# verdict recorded under older checks is never recalled.
EVIDENCE_VERSION = 1

_RECALLED = "recalled: this exact answer to this request was verified on {when}"


def _file_digest(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return "unreadable"


def fingerprint(
    request: str, files: Sequence[str], intent: Intent, answer: str, settings: dict[str, object]
) -> str:
    """A digest of all a verdict stands on; a change to any part gives a new key.

    ``files`` are the request's input files, taken by name and contents; ``answer`` is the
    text the checks read, with any delivered file named without its folder.
    """
    payload = {
        "version": EVIDENCE_VERSION,
        "request": request.strip(),
        # A file's folder is where this run put it, not what was checked: name and contents.
        "files": sorted((os.path.basename(name), _file_digest(name)) for name in files),
        "intent": intent.model_dump(mode="json"),
        "answer": answer,
        "settings": settings,
    }
    blob = json.dumps(payload, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


class VerifiedAnswers:
    """Verified validations of one learning namespace, keyed by :func:`fingerprint`."""

    def __init__(self, store: BaseStore, namespace: str):
        self.store = store
        self.namespace = (ROOT, namespace, "verified")

    def recall(self, key: str) -> Validation | None:
        """The verdict earned for this exact answer, each criterion marked as recalled."""
        try:
            item = self.store.get(self.namespace, key)
        except Exception as exc:  # noqa: BLE001 - a store that fails costs a check, not the run
            _log.warning("verified answers: recall failed, checking afresh: %r", exc)
            return None
        if item is None:
            return None
        try:
            validation = Validation.model_validate(item.value["validation"])
        except (KeyError, TypeError, ValueError):
            return None  # written by another version, or damaged: check afresh
        if validation.verdict != "verified" or not validation.overall_success:
            return None  # only verified verdicts are written; anything else is not ours
        note = _RECALLED.format(when=item.value.get("when", "an earlier run"))
        criteria = [
            c.model_copy(update={"detail": f"{c.detail}; {note}" if c.detail else note})
            for c in validation.criteria
        ]
        return validation.model_copy(update={"criteria": criteria})

    def remember(self, key: str, validation: Validation) -> None:
        """Keep a verified validation; any other verdict is checked afresh next time."""
        if validation.verdict != "verified":
            return
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        value = {"validation": validation.model_dump(mode="json"), "when": when}
        try:
            put(self.store, self.namespace, key, value)
        except Exception as exc:  # noqa: BLE001 - the verdict stands; only its reuse is lost
            _log.warning("verified answers: could not keep a verdict: %r", exc)

"""Verdicts already earned: the same answer to the same request needs no second proof.

The checks that cost model calls (tests the model writes, a second route, a judge) were
measured to keep a learned task at three calls a run when the answer it repeats had already
been verified. A verified validation is kept under a fingerprint of everything it stood on:
the request, the files' contents, the intent, the delivered text and the settings that choose
the evidence. Only an exact repeat is recalled, and its criteria say so; nothing here reaches
a producer's prompt, since the key is a digest and the value is the validator's own verdict.

The intent a verified run worked from is kept the same way (:class:`VerifiedIntents`), keyed
by the exact request and its files only: reading that request again would cost the intent
model call on every run of a task already solved, and a different reading would change the
verdict's key, so the recalled verdict would be missed too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

from langgraph.store.base import BaseStore
from pydantic import BaseModel

from ..state.models import Intent, Validation
from .store_io import ROOT, put

_log = logging.getLogger(__name__)

# Bumped when what a verdict depends on changes (new evidence kinds, stricter rules), so a
# verdict recorded under older checks is never recalled.
EVIDENCE_VERSION = 1
# Bumped when what an intent is read from changes (the request, its files), for the same reason.
READING_VERSION = 1

_M = TypeVar("_M", bound=BaseModel)

_RECALLED = "recalled: this exact answer to this request was verified on {when}"


def _file_digest(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return "unreadable"


def _digest(payload: dict[str, object]) -> str:
    blob = json.dumps(payload, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _files(files: Sequence[str]) -> list[tuple[str, str]]:
    # A file's folder is where this run put it, not what was read: name and contents.
    return sorted((os.path.basename(name), _file_digest(name)) for name in files)


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
        "files": _files(files),
        "intent": intent.model_dump(mode="json"),
        "answer": answer,
        "settings": settings,
    }
    return _digest(payload)


def request_key(request: str, files: Sequence[str]) -> str:
    """A digest of the exact request (stripped) and its input files' names and contents."""
    return _digest({"version": READING_VERSION, "request": request.strip(), "files": _files(files)})


class _Kept:
    """Records of one learning namespace under ``(ROOT, namespace, kind)``, one model each.

    The store is an optimisation here, never a dependency: a read that fails or a record
    that no longer validates is a miss, and a write that fails is lost, each logged, so the
    run goes on as if nothing had been kept.
    """

    kind = ""
    label = ""
    field = ""

    def __init__(self, store: BaseStore, namespace: str):
        self.store = store
        self.namespace = (ROOT, namespace, self.kind)

    def _load(self, key: str, model: type[_M]) -> tuple[_M, str] | None:
        """The kept record and when it was kept, or None."""
        try:
            item = self.store.get(self.namespace, key)
        except Exception as exc:  # noqa: BLE001 - a store that fails costs a call, not the run
            _log.warning("%s: recall failed, checking afresh: %r", self.label, exc)
            return None
        if item is None:
            return None
        try:
            return model.model_validate(item.value[self.field]), str(item.value.get("when", ""))
        except (KeyError, TypeError, ValueError) as exc:  # another version's, or damaged
            _log.warning("%s: a damaged record is ignored: %r", self.label, exc)
            return None

    def _keep(self, key: str, record: BaseModel) -> None:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        value = {self.field: record.model_dump(mode="json"), "when": when}
        try:
            put(self.store, self.namespace, key, value)
        except Exception as exc:  # noqa: BLE001 - the run's outcome stands; only its reuse is lost
            _log.warning("%s: could not keep a record: %r", self.label, exc)


class VerifiedAnswers(_Kept):
    """Verified validations of one learning namespace, keyed by :func:`fingerprint`."""

    kind, label, field = "verified", "verified answers", "validation"

    def recall(self, key: str) -> Validation | None:
        """The verdict earned for this exact answer, each criterion marked as recalled."""
        kept = self._load(key, Validation)
        if kept is None:
            return None
        validation, when = kept
        if validation.verdict != "verified" or not validation.overall_success:
            return None  # only verified verdicts are written; anything else is not ours
        note = _RECALLED.format(when=when or "an earlier run")
        criteria = [
            c.model_copy(update={"detail": f"{c.detail}; {note}" if c.detail else note})
            for c in validation.criteria
        ]
        return validation.model_copy(update={"criteria": criteria})

    def remember(self, key: str, validation: Validation) -> None:
        """Keep a verified validation; any other verdict is checked afresh next time."""
        if validation.verdict == "verified":
            self._keep(key, validation)


class VerifiedIntents(_Kept):
    """The intents verified runs worked from, keyed by :func:`request_key`.

    The record is the intent exactly as the run's producers were given it (rules' criteria
    and the model's reading merged), so keeping it shows a later producer nothing new.
    """

    kind, label, field = "intents", "verified intents", "intent"

    def recall(self, key: str) -> Intent | None:
        """The intent a verified run of this exact request worked from, or None."""
        kept = self._load(key, Intent)
        return kept[0] if kept else None

    def remember(self, key: str, intent: Intent, validation: Validation) -> None:
        """Keep the intent of a verified run; any other run's reading is not kept."""
        if validation.verdict == "verified" and validation.overall_success:
            self._keep(key, intent)

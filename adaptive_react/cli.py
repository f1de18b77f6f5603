"""The ``adaptive-react`` command line."""

from __future__ import annotations

import argparse
import importlib
import sys

from .commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    """The parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="adaptive-react",
        description="An agent loop that understands the request, validates what it delivers "
        "and learns across runs.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"adaptive_react.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())

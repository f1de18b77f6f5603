"""CLI subcommands; each module exposes ``register(subparsers)``.

The CLI imports them by name from ``COMMANDS`` so a new command is one module and one line.
"""

import argparse

from ..persistence import default_db_path

COMMANDS = ["run", "strategies", "export_training", "serve"]


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """``--db``: every command that opens the checkpoints and strategies takes the same one."""
    parser.add_argument(
        "--db", default=None, help=f"SQLite path or postgresql:// URL (default {default_db_path()})"
    )

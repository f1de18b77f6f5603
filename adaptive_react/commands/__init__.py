"""CLI subcommands; each module exposes ``register(subparsers)``.

The CLI imports them by name from ``COMMANDS`` so a new command is one module and one line.
"""

COMMANDS = ["run", "strategies", "export_training", "serve"]

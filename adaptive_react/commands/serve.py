"""``adaptive-react serve``: the LangServe app under uvicorn (needs the ``serve`` extra)."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from ..agent import MAX_STEPS_LIMIT
from . import add_db_option

EXIT_OK, EXIT_CONFIG = 0, 2


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``serve`` command."""
    p = sub.add_parser("serve", help="serve the graphs over HTTP (LangServe, with playground)")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default loopback)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--model",
        default=None,
        help="local | local-small | provider:model | base "
        "URL; every request uses it (callers cannot choose)",
    )
    add_db_option(p)
    p.add_argument(
        "--api-keys",
        default=None,
        metavar="FILE",
        help='JSON {"user": "key"}; required unless --host is loopback',
    )
    p.add_argument(
        "--max-body-bytes", type=int, default=1_000_000, help="refuse larger requests with 413"
    )
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow browser calls from ORIGIN (repeatable; CORS is off by default)",
    )
    p.add_argument("--max-steps", type=int, default=8, help="default step budget per run")
    p.set_defaults(handler=serve_command)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_command(args: argparse.Namespace) -> int:
    """Validate the settings, then run uvicorn until interrupted."""
    try:
        import uvicorn

        from ..server import ServerSettings, create_app
        from ..server.guard import load_api_keys
    except ImportError as exc:
        print(
            f"serve needs the serve extra: pip install 'adaptive-react[serve]' ({exc})",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    if not 1 <= args.max_steps <= MAX_STEPS_LIMIT:
        print(f"--max-steps must be between 1 and {MAX_STEPS_LIMIT}", file=sys.stderr)
        return EXIT_CONFIG
    keys: dict[str, str] = {}
    if args.api_keys:
        try:
            keys = load_api_keys(args.api_keys)
        except (OSError, ValueError) as exc:
            print(f"--api-keys: {exc}", file=sys.stderr)
            return EXIT_CONFIG
    elif not _is_loopback(args.host):
        print("refusing to serve on a non-loopback address without --api-keys", file=sys.stderr)
        return EXIT_CONFIG
    from ..llm import ModelSettings

    settings = ServerSettings(
        model=ModelSettings.load(model=args.model).default_spec(),
        db=args.db,
        api_keys=keys,
        max_body_bytes=args.max_body_bytes,
        cors_origins=list(args.cors_origin),
        max_steps=args.max_steps,
    )
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info", ws="none")
    return EXIT_OK

"""``adaptive-react strategies``: see, forget, reset, export and import what was learned."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from ..persistence import open_persistence
from . import add_db_option

EXIT_OK, EXIT_EMPTY, EXIT_CONFIG = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``strategies list|show|forget|reset|export|import``."""
    p = sub.add_parser("strategies", help="inspect and manage learned strategies")
    common = argparse.ArgumentParser(add_help=False)
    add_db_option(common)
    common.add_argument("--namespace", default="default", help="whose strategies")
    common.add_argument("--json", action="store_true", help="print JSON")
    actions = p.add_subparsers(dest="action", required=True)
    ls = actions.add_parser("list", parents=[common], help="every pattern and template")
    ls.add_argument("--shared", default=None, help="also include this shared namespace")
    show = actions.add_parser("show", parents=[common], help="one pattern in full")
    show.add_argument("pattern", help="a pattern from `list`, or a request text")
    forget = actions.add_parser("forget", parents=[common], help="forget a pattern")
    forget.add_argument("pattern", help="a pattern from `list`, or a request text")
    forget.add_argument("--template", default=None, help="forget only this template")
    reset = actions.add_parser("reset", parents=[common], help="forget everything learned")
    reset.add_argument("--yes", action="store_true", help="required: confirm the reset")
    exp = actions.add_parser("export", parents=[common], help="write the documented JSON")
    exp.add_argument("out", help="file to write ('-' for stdout)")
    imp = actions.add_parser("import", parents=[common], help="merge an export (validated)")
    imp.add_argument("file", help="an export file")
    imp.add_argument(
        "--with-skills",
        action="store_true",
        help="also import verified programs (code; re-validated on every use)",
    )
    p.set_defaults(handler=strategies_command)


def _print_records(records: list[dict[str, Any]]) -> None:
    pattern = None
    for r in records:
        if r["pattern"] != pattern:
            pattern = r["pattern"]
            print(pattern)
        print(
            f"  {r['template']:<22} {r['successes']}/{r['attempts']} validated "
            f"({r['success_rate']:.0%}), mean quality {r['mean_score']:.2f}, "
            f"last used {dt.datetime.fromtimestamp(r['last_used']):%Y-%m-%d %H:%M}"
        )
        for lesson in r["lessons"]:
            print(f"    lesson: {lesson}")
        for ex in r["example_requests"]:
            print(f"    e.g. {ex}")


def strategies_command(args: argparse.Namespace) -> int:
    """Dispatch one ``strategies`` action."""
    from ..learning import api

    if args.action == "reset" and not args.yes:
        print(
            "reset forgets everything this namespace learned; add --yes to confirm", file=sys.stderr
        )
        return EXIT_CONFIG
    if args.action == "import":
        try:
            data = json.loads(Path(args.file).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            print(f"cannot read {args.file}: {exc}", file=sys.stderr)
            return EXIT_CONFIG
    with open_persistence(args.db) as (_saver, store):
        if args.action == "list":
            records = [
                r.model_dump(mode="json")
                for r in api.list_strategies(store, args.namespace, shared=args.shared)
            ]
            if args.json:
                print(json.dumps(records, indent=2))
            elif records:
                _print_records(records)
            else:
                print(f"nothing learned yet in namespace {args.namespace!r}")
            return EXIT_OK
        if args.action == "show":
            shown = api.show_strategy(store, args.pattern, args.namespace)
            if args.json:
                print(json.dumps(shown, indent=2))
            else:
                if shown["records"]:
                    _print_records(shown["records"])
                else:
                    print(f"nothing learned for {shown['pattern']}")
                if shown["skill"]:
                    sk = shown["skill"]
                    print(
                        f"  skill: parameters {sorted(sk['parameters'])}, used {sk['uses']} "
                        f"times, from {sk['source_request']!r}"
                    )
                for key, value in sorted(shown["heuristics"].items()):
                    print(f"  heuristic {key}: {value}")
            return EXIT_OK if shown["records"] else EXIT_EMPTY
        if args.action == "forget":
            n = api.forget_strategy(store, args.pattern, args.namespace, args.template)
            print(f"forgot {n} outcomes for {api.resolve_pattern(args.pattern)}")
            return EXIT_OK
        if args.action == "reset":
            n = api.reset_strategies(store, args.namespace)
            print(f"reset namespace {args.namespace!r}: {n} outcomes forgotten")
            return EXIT_OK
        if args.action == "export":
            doc = api.export_strategies(store, args.namespace)
            text = json.dumps(doc, indent=2)
            if args.out == "-":
                print(text)
            else:
                Path(args.out).write_text(text + "\n", encoding="utf-8")
                print(
                    f"exported {len(doc['events'])} outcomes and {len(doc['skills'])} skills "
                    f"to {args.out}",
                    file=sys.stderr,
                )
            return EXIT_OK
        try:
            report = api.import_strategies(
                store, data, args.namespace, include_skills=args.with_skills
            )
        except ValueError as exc:
            print(f"import refused: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        print(
            json.dumps(report.model_dump(), indent=2)
            if args.json
            else f"imported {report.events} outcomes and {report.skills} skills; "
            f"{report.lessons_dropped} lessons dropped by the guard; "
            f"{len(report.rejected)} rejected"
        )
        return EXIT_OK

"""python -m bench load | profile | data | pages | photos | classify | dispatch | knowledge  (README, "Benchmarks")."""
from __future__ import annotations

import argparse
import sys
from dataclasses import fields

from .load import LoadOptions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="intake, ceiling, submit-to-dispatched and routing figures")
    for option in fields(LoadOptions):
        load.add_argument("--" + option.name.replace("_", "-"), type=type(option.default), default=option.default)
    profile = commands.add_parser("profile", help="profile the intake request path in-process")
    profile.add_argument("--database", default="bench_profile")
    profile.add_argument("--requests", type=int, default=300)
    profile.add_argument("--top", type=int, default=30)
    for name, text in (("data", "generate a year of appeals (python -m bench.data; --help there)"),
                       ("pages", "time the busy pages on the generated data (python -m bench.pages; --help there)"),
                       ("photos", "what five huge PNGs cost intake before and after the limit (bench/photos.py)"),
                       ("classify", "the classifier on the held-out appeals: accuracy, latency, throughput, memory"),
                       ("dispatch", "smart dispatch on the held-out appeals: reach, right unit, top-3, routing rate"),
                       ("knowledge", "knowledge-base search quality and latency (bench/knowledge.py)")):
        commands.add_parser(name, help=text, add_help=False)  # the rest of the line is theirs
    args, rest = parser.parse_known_args(argv)
    if args.command in ("data", "pages", "photos", "classify", "dispatch", "knowledge"):
        from importlib import import_module

        return import_module(f".{args.command}", __package__).main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "load":
        from . import load as load_command

        options = LoadOptions(**{option.name: getattr(args, option.name) for option in fields(LoadOptions)})
        return load_command.run(options)
    from . import profiling

    return profiling.run(database=args.database, requests=args.requests, top=args.top)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the stack has already been stopped
        print("interrupted; the benchmark stack was stopped", file=sys.stderr)
        sys.exit(130)

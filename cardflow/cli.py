"""The `cardflow` command: serve (default), doctor, new, notebook, actions, call, mcp, export, import, verify."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cardflow.cli_actions import add_parsers as add_action_parsers
from cardflow.cli_actions import call_action, list_actions, mcp_command
from cardflow.config import Settings, SettingsError, from_env, is_loopback


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="where the database, logs and files live "
                        "(default: $CARDFLOW_DATA_DIR or ~/.local/share/cardflow)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cardflow", description="Local-first workflows beside a local LLM.")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="run the web app (the default command)")
    _common(serve)
    serve.add_argument("--host", help="address to bind (default 127.0.0.1; others need CARDFLOW_TOKEN)")
    serve.add_argument("--port", type=int, help="port (default 5001)")
    serve.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    serve.add_argument("--reload", action="store_true", help="restart when a source file changes")
    serve.add_argument("--no-reload", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument("--debug", action="store_true", help="verbose logs and state tables after each change")

    doctor = sub.add_parser("doctor", help="check the installation and say what is wrong")
    _common(doctor)
    doctor.add_argument("--port", type=int)

    new = sub.add_parser("new", help="scaffold a new app")
    new_sub = new.add_subparsers(dest="kind", required=True)
    wf = new_sub.add_parser("workflow", help="write a new workflow file that runs at once")
    wf.add_argument("name", help="the workflow's name (letters, digits, underscores)")
    wf.add_argument("--dir", type=Path, help="write into this plugins dir instead of cardflow/apps")
    wf.add_argument("--from-notebook", type=Path, help="make one step per markdown heading of this .ipynb")
    wf.add_argument("--force", action="store_true", help="overwrite an existing file")

    nb = sub.add_parser("notebook", help="JupyterLab beside the app, in tmux, with a token")
    nb.add_argument("action", choices=("start", "stop", "status"))
    _common(nb)
    nb.add_argument("--port", type=int, default=8888)

    add_action_parsers(sub, _common)

    for name, text in (("export", "write every table to a JSON file"), ("import", "load a file made by export")):
        p = sub.add_parser(name, help=text)
        _common(p)
        p.add_argument("file", type=Path)

    verify = sub.add_parser("verify", help="check a run receipt (.zip) against its SHA-256 manifest")
    verify.add_argument("file", type=Path, help="the receipt, from a run's “Download receipt” link")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return from_env(
        host=getattr(args, "host", None),
        port=getattr(args, "port", None) if getattr(args, "command", None) != "notebook" else None,
        data_dir=getattr(args, "data_dir", None),
        debug=True if getattr(args, "debug", False) else None,
        reload=True if getattr(args, "reload", False) else None,
        open_browser=False if getattr(args, "no_browser", False) else None,
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["serve", *argv]
    args = build_parser().parse_args(argv)
    if args.command == "verify":  # reads only the zip: no data dir, no settings
        return verify_receipt(args.file)
    try:
        settings = settings_from(args)
    except SettingsError as exc:
        print(f"cardflow: {exc}", file=sys.stderr)
        return 2
    command = args.command or "serve"
    if command == "serve":
        return serve(settings, args, argv)
    if command == "doctor":
        from cardflow.doctor import run_doctor

        return run_doctor(settings)
    if command == "new":
        from cardflow.scaffold import new_workflow

        return new_workflow(args.name, target_dir=args.dir, notebook=args.from_notebook, force=args.force)
    if command == "notebook":
        from cardflow import jupyter

        code: int = getattr(jupyter, args.action)(settings, port=args.port)
        return code
    if command == "actions":
        return list_actions(settings, args.app, args.json)
    if command == "call":
        return call_action(settings, args)
    if command == "mcp":
        return mcp_command(settings, args.print_config)
    if command in ("export", "import"):
        from cardflow.backup import export_file, import_file

        return export_file(settings, args.file) if command == "export" else import_file(settings, args.file)
    return 2


def verify_receipt(path: Path) -> int:
    """OK and exit 0 when every file matches; else each file that does not, and exit 1."""
    from cardflow.errors import Problem
    from cardflow.runzip import verify

    try:
        verdict = verify(path)
    except Problem as exc:
        print(f"cardflow verify: {exc}", file=sys.stderr)
        return 2
    about = f"{verdict.manifest.get('app', '?')} “{verdict.manifest.get('key', '?')}”"
    if verdict.ok:
        print(f"OK: {verdict.checked} files match the manifest of {about} ({path}).")
        return 0
    for line in verdict.lines():
        print(line)
    print(f"FAILED: {path} does not match its manifest ({len(verdict.lines())} problem(s)).", file=sys.stderr)
    return 1


def serve(settings: Settings, args: argparse.Namespace, argv: list[str]) -> int:
    if not is_loopback(settings.host) and not settings.token:
        print(f"cardflow: refusing to bind {settings.host}: any machine on that network could use this app. "
              "Set CARDFLOW_TOKEN to a long random secret first (see docs/security.md), or bind 127.0.0.1.",
              file=sys.stderr)
        return 2
    from cardflow.devtools import setup_logging

    try:
        setup_logging(settings)
    except OSError as exc:
        print(f"cardflow: cannot write logs in {settings.log_dir}: {exc.strerror}. "
              "Choose a writable --data-dir.", file=sys.stderr)
        return 2
    if settings.reload and not args.no_reload:
        from cardflow.reloader import Supervisor
        from cardflow.server import port_free

        if not port_free(settings.host, settings.port):
            print(f"Port {settings.port} is already in use. Start on another port with --port.", file=sys.stderr)
            return 2
        child_args = [a for a in argv[1:] if a != "--reload"] if argv and argv[0] == "serve" else \
            [a for a in argv if a != "--reload"]
        return Supervisor(settings, child_args).run()
    from cardflow.server import run_server

    return run_server(settings)

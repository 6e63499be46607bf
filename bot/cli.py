"""The `informe-bot` command: ingest, stats, ask, chat, serve, run (the default).

Every failure a user can cause (bad settings, unreadable report, unreachable database) ends with
one line on stderr, "informe-bot: error: ...", and a non-zero exit; never a traceback, never a
secret. The chat, ask and serve front ends live in their own modules, imported when used.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import ConfigError, IngestError

PROG = "informe-bot"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

Handler = Callable[[argparse.Namespace], int | None]


# ----------------------------------------------------------------------------- commands


def cmd_ingest(args: argparse.Namespace) -> int:
    from bot.settings import get_settings
    from db.engine import describe_url, make_engine
    from db.migrate import upgrade
    from db.store import ingest_file

    settings = get_settings()
    path = Path(args.path) if args.path else settings.report_path
    if args.text_out:
        return _write_text(path, args.text_out)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        summary = ingest_file(engine, path, args.report_id or settings.report_id)
    finally:
        engine.dispose()
    print(f"Ingested {summary.report_id}: {summary.title} ({summary.year}) from {path}")
    print(f"  sections:     {summary.sections}")
    print(f"  tables:       {summary.tables}")
    print(f"  rows:         {summary.rows} ({summary.cells} cells)")
    print(f"  facts:        {summary.facts}")
    print(f"  enumerations: {summary.enumerations} ({summary.enumeration_items} items)")
    print(
        f"  parsed in {summary.parse_seconds:.2f} s, saved in {summary.save_seconds:.2f} s; "
        f"knowledge version {summary.knowledge_version}"
    )
    print(f"  store: {describe_url(settings.database_url)}")
    # (digest first: it is cheap, while naming REPORT_PATH's report may have to read it)
    if summary.source_sha256 != _sha_or_none(settings.report_path) and (
        summary.report_id == _configured_id(settings)
    ):
        # Start-up keeps REPORT_PATH's report in the store and would replace this ingest.
        print(
            f"{PROG}: note: {summary.report_id} is re-ingested from REPORT_PATH "
            f"({settings.report_path}) at start-up; set REPORT_PATH to this file to keep it, "
            "or ingest it with --report-id",
            file=sys.stderr,
        )
    return 0


def _write_text(path: Path, out: str) -> int:
    """The text ingest reads from `path` (a PDF converted), for a person to check or correct."""
    from knowledge.ingest import read_report_file

    text = read_report_file(path)
    if out == "-":
        sys.stdout.write(text)
        return 0
    target = Path(out)
    target.write_text(text, encoding="utf-8")
    pages = text.count("\f") + 1
    print(f"Wrote the text of {path} to {target} ({len(text.split(chr(10)))} lines, "
          f"{pages} page(s)); nothing was stored.")
    print(f"  check or correct it, then: {PROG} ingest {target}")
    return 0


def _configured_id(settings: object) -> str | None:
    """The id start-up keeps REPORT_PATH under: REPORT_ID, or the one its title gives."""
    from knowledge.ingest.report import identify_file

    explicit = getattr(settings, "report_id", None)
    return explicit or identify_file(settings.report_path)


def _sha_or_none(path: Path) -> str | None:
    from db.store import text_sha256

    try:
        return text_sha256(path)
    except IngestError:
        return None


def cmd_stats(args: argparse.Namespace) -> int:
    from bot.settings import get_settings
    from db.engine import describe_url
    from db.store import ensure_store, knowledge_version, store_stats

    settings = get_settings()
    engine = ensure_store(settings)
    try:
        stats = store_stats(engine)
        version = knowledge_version(engine)
    finally:
        engine.dispose()
    store = describe_url(settings.database_url)
    if args.json:
        payload = {"store": store, "knowledge_version": version, "reports": stats}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print(f"Store: {store} (knowledge version {version}, {len(stats)} report(s))")
    for report_id, s in stats.items():
        print(f"{report_id}: {s['title']} ({s['year']})")
        print(
            f"  source {s['source_name']}, sha256 {s['source_sha256'][:12]}, "
            f"ingested {s['ingested_at']}"
        )
        print(
            f"  sections {s['sections']}, tables {s['tables']}, rows {s['rows']} "
            f"({s['cells']} cells), facts {s['facts']}, "
            f"enumerations {s['enumerations']} ({s['enumeration_items']} items)"
        )
    return 0


def cmd_ask(args: argparse.Namespace) -> int | None:
    # "-" is passed on as is: run_ask then answers each line of standard input in turn.
    question = " ".join(args.question).strip()
    if not question:
        raise UsageError("ask needs a question, or - to read questions from standard input")
    args.question = question
    from bot.console import run_ask

    return run_ask(args)


def cmd_chat(args: argparse.Namespace) -> int | None:
    from bot.console import run_chat

    return run_chat(args)


def cmd_serve(args: argparse.Namespace) -> int | None:
    from bot.telegram.app import run_serve

    return run_serve(args)


def cmd_worker(args: argparse.Namespace) -> int | None:
    from bot.telegram.worker import run_worker

    return run_worker(args)


def cmd_set_webhook(args: argparse.Namespace) -> int | None:
    from bot.telegram.worker import run_set_webhook

    return run_set_webhook(args)


def cmd_run(args: argparse.Namespace) -> int | None:
    """Telegram when a token is configured, otherwise the console chat."""
    from bot.settings import get_settings

    if get_settings().telegram_bot_token is not None:
        return cmd_serve(args)
    return cmd_chat(args)


# ----------------------------------------------------------------------------- parsing


class UsageError(Exception):
    """A command line that parses but makes no sense."""


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, not {port}")
    return port


def _add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook-url",
        help="public HTTPS URL Telegram posts updates to (default: long polling)",
    )
    parser.add_argument(
        "--listen",
        default="127.0.0.1",
        help="address the webhook server binds (default: %(default)s)",
    )
    parser.add_argument(
        "--port", type=_port, default=8443, help="port of the webhook server (default: %(default)s)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Answers questions about an annual management report (the bundled one, or "
        "the one ingested) with exact figures and their source. Without a command: `run`.",
    )
    parser.set_defaults(handler=cmd_run, webhook_url=None, listen="127.0.0.1", port=8443)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="parse a report into the store and print counts")
    ingest.add_argument(
        "path", nargs="?",
        help="report file (Markdown text or PDF); default: REPORT_PATH, the bundled report",
    )
    ingest.add_argument(
        "--text-out",
        metavar="FILE",
        help="only convert: write the text ingest would read (a PDF converted) to FILE, or - "
        "for stdout, to check or correct it and ingest that file later; stores nothing",
    )
    ingest.add_argument(
        "--report-id",
        help="id to store it under, e.g. aci-medellin-2021 to keep another year beside the "
        "default (default: REPORT_ID setting)",
    )
    ingest.set_defaults(handler=cmd_ingest)

    stats = commands.add_parser("stats", help="what the store holds, per report")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(handler=cmd_stats)

    ask = commands.add_parser("ask", help="answer one question and exit")
    ask.add_argument("question", nargs="*", help="the question; - answers each line of stdin")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument(
        "--out", metavar="DIR", default=".", help="folder for /grafico and /csv files (default: .)"
    )
    ask.set_defaults(handler=cmd_ask)

    chat = commands.add_parser("chat", help="chat in the terminal")
    chat.add_argument(
        "--out", metavar="DIR", default=".", help="folder for /grafico and /csv files (default: .)"
    )
    chat.set_defaults(handler=cmd_chat)

    serve = commands.add_parser("serve", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    _add_serve_options(serve)
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser(
        "worker",
        help="one of several webhook workers behind a reverse proxy, sharing the database",
    )
    worker.add_argument(
        "--listen", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    worker.add_argument("--port", type=_port, default=8101, help="port (default: %(default)s)")
    worker.add_argument(
        "--path", default="/telegram", help="path updates are POSTed to (default: %(default)s)"
    )
    worker.set_defaults(handler=cmd_worker)

    set_webhook = commands.add_parser(
        "set-webhook", help="tell the Bot API to POST updates to URL, with WEBHOOK_SECRET"
    )
    set_webhook.add_argument("url", help="public URL of the proxy in front of the workers")
    set_webhook.add_argument(
        "--max-connections",
        type=int,
        default=40,
        help="parallel deliveries the Bot API may open, 1-100 (default: %(default)s)",
    )
    set_webhook.add_argument(
        "--drop-pending-updates", action="store_true", help="discard updates not yet delivered"
    )
    set_webhook.set_defaults(handler=cmd_set_webhook)

    run = commands.add_parser(
        "run", help="serve when TELEGRAM_BOT_TOKEN is set, else chat (the default)"
    )
    _add_serve_options(run)
    run.set_defaults(handler=cmd_run)
    return parser


# ----------------------------------------------------------------------------- main


def _configure_logging() -> None:
    from bot import logging_setup
    from bot.settings import get_settings

    logging_setup.enable_faulthandler()
    logging_setup.protect_settings(get_settings())  # every secret, every command, every level
    level_name = get_settings().log_level.upper()
    level = logging.getLevelName(level_name)
    if not isinstance(level, int):
        raise ConfigError(f"LOG_LEVEL {level_name!r} is not a logging level (try INFO or DEBUG)")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))


def _settings_error(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        name = "_".join(str(part) for part in error["loc"]).upper() or "settings"
        problems.append(f"{name}: {error['msg']}")
    return "invalid setting " + "; ".join(problems)


def _database_error(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return "database error: " + (lines[0] if lines else type(orig).__name__)


def _debug_enabled() -> bool:
    try:
        from bot.settings import get_settings

        return get_settings().log_level.upper() == "DEBUG"
    except Exception:
        return False


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        _configure_logging()
        result = handler(args)
        return int(result or 0)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except (ConfigError, IngestError) as exc:
        return _fail(str(exc))
    except ValidationError as exc:
        if exc.title != "Settings":
            return _unexpected(exc)
        return _fail(_settings_error(exc))
    except SQLAlchemyError as exc:
        return _fail(_database_error(exc))
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(("bot.console", "bot.telegram")):
            return _fail(f"this command is not available in this version ({exc.name} missing)")
        return _unexpected(exc)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and friends: not an error worth a message.
        return 0
    except OSError as exc:
        target = f" {exc.filename}" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{target}")
    except Exception as exc:
        return _unexpected(exc)


def _unexpected(exc: BaseException) -> int:
    if _debug_enabled():
        raise exc
    first = str(exc).splitlines()[0] if str(exc) else ""
    return _fail(
        f"unexpected {type(exc).__name__}: {first} (set LOG_LEVEL=DEBUG for the traceback)"
    )


if __name__ == "__main__":
    sys.exit(main())

"""The bundled report, parsed once per test process, and its answer engine, built once.

Parsing the bundled report takes seconds and so does the first engine; seven modules (two of
them at collection time, for their parameters) and the session fixtures of conftest all need the
same parse. Treat both as read-only: every test of the process shares them.
"""

from __future__ import annotations

from functools import cache

from bot.engine.core import Engine
from bot.settings import DEFAULT_REPORT_PATH
from knowledge.ingest import parse_report, read_report_file
from knowledge.model import ParsedReport

REPORT_ID = "aci-medellin-2020"


@cache
def bundled_text() -> str:
    return read_report_file(DEFAULT_REPORT_PATH)


@cache
def bundled_report() -> ParsedReport:
    return parse_report(bundled_text(), report_id=REPORT_ID, source_name=DEFAULT_REPORT_PATH.name)


@cache
def bundled_engine() -> Engine:
    return Engine([bundled_report()])

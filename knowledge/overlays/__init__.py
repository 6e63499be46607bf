"""Per-report overlays: hand-written data that belongs to one report, checked against its text.

Each folder `knowledge/overlays/<report-id>/overlay.yaml` holds:
- fingerprint: the title of the report it was written for (and optionally the sha256 of its text);
  an overlay applies only to a report whose title folds to the same words, so a 2021 report, or
  another organisation's, never inherits it;
- lists: names for lists ingest finds by rule (matched by a verbatim piece of their intro, or
  the section's first list) and lists the rules cannot see ("inline" after a verbatim anchor);
- contradictions: what the rules miss, each side quoted verbatim in its section;
- synonyms: aliases of this report's own names (its organisation, programmes, partners);
- tables: stable keys and titles for its tables (matched by header words in their section);
- beside it, intents.yaml: names and example questions for its lists and tables (the engine
  keeps an entry only while the report has every key it targets).
Entry by entry, a quote or section the text no longer holds makes that entry stale: it is
skipped with a warning naming it. An overlay never stops ingest or start-up: an unreadable file
is one warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from knowledge.curated import TableSpec
from knowledge.text import fold

OVERLAYS_DIR = Path(__file__).resolve().parent
log = logging.getLogger("knowledge.overlay")


class Fingerprint(BaseModel):
    title: str
    sha256: str | None = None


class ListEntry(BaseModel):
    key: str
    title: str
    section: str
    quote: str | None = None  # verbatim piece of the intro line (None: the section's first list)
    kind: str | None = None  # "inline": a list the rules cannot see, read after `quote`


class OverlaySide(BaseModel):
    quote: str
    section: str
    value: str | None = None
    table: str | None = None


class ContradictionEntry(BaseModel):
    id: str
    topic: list[str]
    description_es: str
    description_en: str
    sides: list[OverlaySide] = Field(min_length=2)


class Overlay(BaseModel):
    name: str = ""  # the folder
    fingerprint: Fingerprint
    lists: list[ListEntry] = Field(default_factory=list)
    contradictions: list[ContradictionEntry] = Field(default_factory=list)
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    tables: list[TableSpec] = Field(default_factory=list)

    def matches(self, title: str) -> bool:
        return fold(self.fingerprint.title) == fold(title)


@dataclass
class Loaded:
    overlays: list[Overlay] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@lru_cache(maxsize=4)
def load_overlays(root: Path = OVERLAYS_DIR) -> Loaded:
    """Every overlay under `root`; a file that cannot be read is a warning, never an error."""
    loaded = Loaded()
    for path in sorted(root.glob("*/overlay.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            loaded.overlays.append(Overlay(name=path.parent.name, **data))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError, TypeError) as exc:
            message = f"overlay {path.parent.name}: unreadable, skipped ({str(exc)[:200]})"
            log.warning(message)
            loaded.warnings.append(message)
    return loaded


def overlay_for(title: str, root: Path = OVERLAYS_DIR) -> Overlay | None:
    """The overlay written for the report with this title, if any."""
    return next((o for o in load_overlays(root).overlays if o.matches(title)), None)


def warn(overlay: Overlay, entry: str, why: str, sink: list[str]) -> None:
    message = f"overlay {overlay.name}: {entry} skipped: {why}"
    log.warning(message)
    sink.append(message)

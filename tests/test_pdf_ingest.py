"""Ingest from a PDF: the CLI, the store, start-up fingerprints, pages in sources, bad PDFs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot import cli
from bot.engine.core import Engine
from bot.engine.render import to_plain_text
from bot.errors import IngestError
from bot.settings import Settings, get_settings
from db.engine import make_engine
from db.migrate import upgrade
from db.store import ingest_file, load_report, refresh_report, store_stats
from knowledge.ingest import pdf as pdf_module
from knowledge.ingest.pdf import PAGE_BREAK, pdf_to_text
from knowledge.model import ParsedReport
from tests.pdf_support import BUNDLED, TESTED, ReadBack, read_back
from tests.pdfgen import encrypted_pdf, image_only_pdf

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_ENV = {name.upper() for name in Settings.model_fields}


@pytest.fixture(scope="module")
def back(pdf_dir: Path) -> ReadBack:
    return read_back(TESTED[0], pdf_dir)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A SQLite store holding the bundled report, and settings pointing at it."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    engine = make_engine(url)
    upgrade(engine)
    ingest_file(engine, get_settings().report_path, "aci-medellin-2020")
    engine.dispose()
    yield url
    get_settings.cache_clear()


def _stats(url: str) -> dict:
    engine = make_engine(url)
    try:
        return store_stats(engine)
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------- the CLI


def test_text_out_then_ingest_the_corrected_text(back: ReadBack, tmp_path: Path) -> None:
    """`ingest --text-out` converts without storing; ingesting that text is the documented fix,
    and the corrected text keeps its pages."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_ENV}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    out = tmp_path / "informe.txt"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)

    converted = run("ingest", "--text-out", str(out), str(back.pdf))
    assert converted.returncode == 0, converted.stderr
    assert "nothing was stored" in converted.stdout
    text = out.read_text(encoding="utf-8")
    assert text == back.text and PAGE_BREAK in text
    assert not (tmp_path / "cli.sqlite3").exists() or not _stats(env["DATABASE_URL"])

    # a person corrects a word, then ingests the text
    corrected = text.replace("Reactivamos el liderazgo", "Reactivamos  el liderazgo", 1)
    out.write_text(corrected, encoding="utf-8")
    ingested = run("ingest", str(out), "--report-id", "aci-medellin-2020-pdf")
    assert ingested.returncode == 0, ingested.stderr
    assert f"sections:     {len(back.report.sections)}" in ingested.stdout
    assert f"tables:       {len(back.report.tables)}" in ingested.stdout
    engine = make_engine(env["DATABASE_URL"])
    try:
        stored = load_report(engine, "aci-medellin-2020-pdf")
    finally:
        engine.dispose()
    assert stored is not None
    assert [s.page for s in stored.sections] == [s.page for s in back.report.sections]


def _count_conversions(monkeypatch: pytest.MonkeyPatch, text: str) -> list[str]:
    """Conversions done from here on (answered from the session's read-back, not re-parsed)."""
    calls: list[str] = []

    def convert(data: bytes, name: str = "informe.pdf") -> str:
        calls.append(name)
        return text

    monkeypatch.setattr(pdf_module, "pdf_to_text", convert)
    return calls


def test_start_up_never_parses_a_pdf_the_store_holds(back: ReadBack, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_conversions(monkeypatch, back.text)
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    upgrade(engine)
    try:
        first = refresh_report(engine, back.pdf, "aci-medellin-2020")
        assert first is not None and calls == [back.pdf.name]
        assert refresh_report(engine, back.pdf, "aci-medellin-2020") is None
        assert calls == [back.pdf.name]  # the fingerprint matched: not converted again
        changed = tmp_path / "changed.pdf"
        changed.write_bytes(back.pdf.read_bytes() + b"\n% a new revision\n")
        assert refresh_report(engine, changed, "aci-medellin-2020") is not None
        assert len(calls) == 2
    finally:
        engine.dispose()


def test_report_path_pointing_at_a_pdf(back: ReadBack, store: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """REPORT_PATH may name a PDF: start-up ingests it once, then only checks its digest."""
    calls = _count_conversions(monkeypatch, back.text)
    monkeypatch.setenv("REPORT_PATH", str(back.pdf))
    get_settings.cache_clear()
    assert cli.main(["stats"]) == 0
    assert cli.main(["stats"]) == 0
    assert calls == [back.pdf.name]
    stats = _stats(store)["aci-medellin-2020"]
    assert stats["source_name"] == back.pdf.name
    assert stats["tables"] == len(back.report.tables)


def test_reload_of_a_pdf(back: ReadBack, store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """/recargar with REPORT_PATH at a PDF (the handler runs this in a worker thread)."""
    from types import SimpleNamespace

    from bot.telegram.admin import reload_knowledge

    _count_conversions(monkeypatch, back.text)
    monkeypatch.setenv("REPORT_PATH", str(back.pdf))
    get_settings.cache_clear()
    services = SimpleNamespace(settings=get_settings(), db=make_engine(store), engine=None)
    try:
        result = reload_knowledge(services)  # type: ignore[arg-type]
    finally:
        services.db.dispose()
    assert result.sections == len(back.report.sections)
    assert services.engine is not None


# ----------------------------------------------------------------------------- pages in sources


def test_sources_give_the_page(back: ReadBack) -> None:
    engine = Engine([back.report])
    answer = engine.ask("¿cuál fue el monto de inversión extranjera?").answer
    assert answer.status == "answered" and answer.sources
    source = answer.sources[0]
    assert source.page == back.report.page_of(source.line)
    assert f"§{source.section}, p. {source.page}" in to_plain_text(answer)


def test_command_sources_give_the_page(back: ReadBack) -> None:
    from bot.commands import run_command

    engine = Engine([back.report])
    result = run_command(engine, "indicadores", "inversión")
    pages = [s.page for s in result.answer.sources]
    assert pages and all(p is not None for p in pages)


def test_text_reports_have_no_pages(parsed_report: ParsedReport) -> None:
    assert all(s.page is None for s in parsed_report.sections)
    answer = Engine([parsed_report]).ask("¿cuál fue el monto de inversión extranjera?").answer
    assert all(s.page is None for s in answer.sources)
    assert ", p. " not in to_plain_text(answer)


# ----------------------------------------------------------------------------- bad PDFs


def _bad_pdfs(good: bytes) -> dict[str, tuple[Callable[[], bytes], str]]:
    """Each bad PDF (made when asked: the scan and the encrypted one take a while) and a
    fragment of its error line."""
    return {
        "escaneo.pdf": (image_only_pdf, "no tiene capa de texto"),
        "clave.pdf": (lambda: encrypted_pdf(BUNDLED, user_password="abrete"), "contraseña"),
        "cortado.pdf": (lambda: good[: len(good) // 2], "incompleto"),
        "cortado-con-final.pdf": (lambda: good[: len(good) // 2] + b"\n%%EOF\n", "incompleto"),
        "texto.pdf": (lambda: "INFORME DE GESTIÓN\n2020\n".encode(), "no es un PDF"),
    }


@pytest.mark.parametrize("name", list(_bad_pdfs(b"%PDF-1.4 x" * 100)))
def test_a_bad_pdf_is_one_clear_line_and_the_store_is_kept(
        name: str, back: ReadBack, store: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    make, message = _bad_pdfs(back.pdf.read_bytes())[name]
    bad = tmp_path / name
    bad.write_bytes(make())
    before = _stats(store)
    assert cli.main(["ingest", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("informe-bot: error: "), err
    assert message in err and "Traceback" not in err
    after = _stats(store)
    assert after == before


def test_permission_only_encryption_opens() -> None:
    text = pdf_to_text(encrypted_pdf(BUNDLED, user_password=None), "permisos.pdf")
    assert "INFORME DE GESTIÓN" in text


def test_scan_is_refused_without_ocr() -> None:
    with pytest.raises(IngestError, match="capa de texto"):
        pdf_to_text(image_only_pdf(), "escaneo.pdf")

"""A plain (non-editable) `pip install .` ships everything `informe-bot` needs at run time.

The wheel is built from a copy of the working tree and installed into a throwaway virtual
environment that borrows the already-installed dependencies (--system-site-packages, --no-deps),
so the test needs no download. It then runs the installed console script from an unrelated
directory: the bundled report, the curated data and the migrations must come from the wheel.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
    ".ruff_cache", ".hypothesis", ".env", "*.sqlite3", "*.db", "results",
)


def _can_build_offline() -> bool:
    """setuptools >= 70.1 builds wheels by itself; older ones need the `wheel` package."""
    try:
        major, minor = (int(p) for p in importlib.metadata.version("setuptools").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False
    if (major, minor) >= (70, 1):
        return True
    try:
        importlib.metadata.version("wheel")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@pytest.mark.slow
def test_non_editable_install_runs_from_anywhere(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # Without PYTHONPATH and away from the repository: only the installed copy is importable.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "DATABASE_URL"}}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")

    pip = [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--ignore-installed"]
    if _can_build_offline():
        pip.append("--no-build-isolation")
    install = subprocess.run(
        [*pip, str(source)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert install.returncode == 0, install.stderr[-3000:]

    where = subprocess.run(
        [str(python), "-c", "import bot, db, knowledge; print(bot.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(env_dir)
    # Test helpers and benchmarks stay in the repository: the wheel holds what a user runs.
    site = subprocess.run(
        [str(python), "-c", "import bot, pathlib; print(pathlib.Path(bot.__file__).parents[1])"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    ).stdout.strip()
    shipped = {p.name for p in Path(site).iterdir()}
    assert {"bot", "db", "knowledge"} <= shipped
    assert not {"tests", "benchmarks"} & shipped
    assert not (Path(site) / "bot" / "testing").exists()

    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'installed.sqlite3'}"
    stats = subprocess.run(
        [str(env_dir / "bin" / "informe-bot"), "stats"],
        cwd=run_dir, env=env, capture_output=True, text=True, timeout=300,
    )
    assert stats.returncode == 0, stats.stderr
    assert "aci-medellin-2020: INFORME DE GESTIÓN ACI MEDELLÍN 2020" in stats.stdout
    assert "Traceback" not in stats.stderr

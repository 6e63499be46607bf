"""The README's promises stay true: two Quickstart commands, CI runs the same test command,
every setting and every CLI command is documented."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bot.cli import build_parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def quickstart_commands() -> list[str]:
    blocks = re.findall(r"^```(?:sh|bash|console)?\n(.*?)^```", section("Quickstart"), re.M | re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_quickstart_is_two_commands_install_and_run_then_test() -> None:
    commands = quickstart_commands()
    assert len(commands) == 2, commands
    run, test = commands
    assert re.search(r"pip install \.(\s|$)", run) and run.rstrip().endswith("informe-bot")
    assert "pip install '.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_test_command_unchanged() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line for line in script.splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "set -euo pipefail"
    assert lines[-1] == quickstart_commands()[1]
    assert "export REQUIRE_POSTGRES=1" in lines


def test_every_setting_is_documented() -> None:
    table = section("Settings")
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, re.M))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_every_cli_command_is_documented() -> None:
    parser = build_parser()
    subcommands = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    ).choices
    reference = section("CLI reference")
    for name, subparser in subcommands.items():
        assert f"informe-bot {name}" in reference
        for action in subparser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in reference, f"{name} {option} is not in the README"

"""The systemd unit shipped in docs/: systemd accepts it, and gdtui accepts its command line."""

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gdtui.cli import build_parser

UNIT = Path(__file__).parents[2] / "docs" / "gdtui-lab.service"


def _service() -> configparser.SectionProxy:
    # systemd's format is close enough to INI for the keys this test reads.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    return parser["Service"]


def test_its_command_line_is_one_gdtui_accepts() -> None:
    command = shlex.split(_service()["ExecStart"])
    assert Path(command[0]).name == "gdtui"
    args = build_parser().parse_args(command[1:])
    assert args.command == "serve"


def test_what_gdtui_keeps_lands_in_the_folders_systemd_keeps() -> None:
    service = _service()
    environment = dict(pair.split("=", 1) for pair in shlex.split(service["Environment"]))
    # %S and %C are the state and cache roots; gdtui adds its own name below each, which is the
    # name of the folders systemd makes and keeps.
    assert environment["XDG_DATA_HOME"] == "%S"
    assert environment["XDG_CACHE_HOME"] == "%C"
    assert service["StateDirectory"] == "gdtui"
    assert service["CacheDirectory"] == "gdtui"
    # A user of its own, not root and not one systemd makes up at start: the roster, which holds
    # password hashes, is that user's alone to read.
    assert service["User"] not in ("", "root") and "DynamicUser" not in service


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not on this machine")
def test_systemd_verifies_it(tmp_path: Path) -> None:
    # verify checks that the program exists: point the unit at this install's gdtui.
    gdtui = Path(sys.executable).with_name("gdtui")
    assert gdtui.exists(), "gdtui's entry point is not installed beside this Python"
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/gdtui/bin/gdtui", str(gdtui)))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    complaints = [line for line in result.stderr.splitlines() if UNIT.name in line]
    assert not complaints, result.stderr

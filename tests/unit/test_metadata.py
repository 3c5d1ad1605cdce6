"""What the installed package says of itself, as pip and PyPI show it."""

from importlib.metadata import metadata, requires
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def requirements(extra: str | None) -> set[str]:
    """The names of the distributions gdtui needs without an extra, or those an extra adds."""
    needed = set()
    for line in requires("gdtui") or []:
        requirement = Requirement(line)
        if requirement.marker is None:
            wanted = extra is None
        else:
            wanted = extra is not None and requirement.marker.evaluate({"extra": extra})
        if wanted:
            needed.add(requirement.name)
    return needed


def test_the_licences_of_the_code_and_of_the_data_it_carries():
    meta = metadata("gdtui")
    assert meta["License-Expression"] == "MIT AND CC-BY-SA-3.0"
    files = meta.get_all("License-File")
    assert set(files) == {"LICENSE", "assets/mnist/README.md"}
    assert "CC BY-SA 3.0" in (ROOT / "assets/mnist/README.md").read_text(encoding="utf-8")


def test_who_it_is_for_and_where_it_runs():
    meta = metadata("gdtui")
    classifiers = set(meta.get_all("Classifier"))
    assert {
        "Environment :: Console",
        "Topic :: Education",
        "Programming Language :: Python :: 3.11",
        "Operating System :: Microsoft :: Windows",
        "Operating System :: MacOS",
    } <= classifiers
    assert meta["Author"]
    assert "MNIST" in meta["Keywords"].split(",")


def test_a_student_installs_neither_the_lab_server_nor_the_tools():
    assert requirements(None) == {"numpy", "textual", "textual-plotext", "plotext", "platformdirs"}
    assert requirements("serve") >= {"asyncssh"}
    assert "threadpoolctl" in requirements("bench")
    assert {"pyte", "asyncssh"} <= requirements("bench")  # lab_load and first_screen read real terminals


def test_the_test_extra_brings_what_the_tests_run():
    assert requirements("serve") | requirements("dev") | {"pytest", "hypothesis"} <= requirements("test")

"""What the machine has and what a network needs, asked before anything is allocated."""

import pytest

from gdtui.core import memory


def test_available_memory_is_some_memory():
    assert memory.available() > 1 << 20


@pytest.mark.parametrize(
    ("size", "said"),
    [
        (0, "0 bytes"),
        (999, "999 bytes"),
        (1_000, "1 KB"),
        (340_000_000, "340 MB"),
        (1_234_567_890, "1.23 GB"),
        (3 * 10**12, "3 TB"),
    ],
)
def test_sizes_are_described_as_people_say_them(size, said):
    assert memory.describe(size) == said


def test_where_the_system_cannot_say_the_memory_is_not_known_and_nothing_is_refused(monkeypatch, tmp_path):
    from gdtui.core.model_io import network_too_big

    # As on Windows: no /proc/meminfo, no sysconf.
    monkeypatch.setattr(memory, "_MEMINFO", tmp_path / "meminfo")
    monkeypatch.delattr(memory.os, "sysconf")
    assert memory.available() is None
    assert network_too_big((784, 1000, 10)) is None

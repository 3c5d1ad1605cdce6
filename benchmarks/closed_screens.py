"""Memory of the gdtui app while a student opens and closes the help and the command palette, on a real terminal.

Starts `python -m gdtui` on an 80×24 pseudo-terminal as app_speed.py does and, round after round,
on Digits, Cost, Training and Backprop in turn: opens the help (?) and closes it, opens the command
palette (ctrl+p) and closes it. Prints JSON lines: the set-up (the machine), the app's resident memory (VmRSS) before the first
round and after every tenth, then the growth from the start and from the tenth round on, when
Rich's and Textual's own caches have filled: what the closed screens drew, if it is kept, adds
to both.

    python benchmarks/closed_screens.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from app_speed import START_TIMEOUT, memory_mb
from machine import machine

from gdtui.ui.screens.help import CLOSING
from tests.terminal import TerminalSession

STEPS = ("1", "3", "6", "8")
PALETTE = "Search for commands"


def round_of_screens(session: TerminalSession) -> None:
    for step in STEPS:
        session.send(step.encode())
        session.send(b"?")
        session.wait_for(CLOSING, START_TIMEOUT)
        session.send(b"\x1b")
        session.wait_until(lambda: CLOSING not in session.screen_text(), "the help closed")
        session.send(b"\x10")  # ctrl+p
        session.wait_for(PALETTE, START_TIMEOUT)
        session.send(b"\x1b")
        session.wait_until(lambda: PALETTE not in session.screen_text(), "the palette closed")


def measure(session: TerminalSession, rounds: int) -> list[dict]:
    session.wait_for("train #0", START_TIMEOUT)
    samples = [{"round": 0, **memory_mb(session.process.pid)}]
    print(json.dumps(samples[-1]), flush=True)
    for done in range(1, rounds + 1):
        round_of_screens(session)
        if done % 10 == 0 or done == rounds:
            samples.append({"round": done, **memory_mb(session.process.pid)})
            print(json.dumps(samples[-1]), flush=True)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="rounds of the four steps (default 40)")
    options = parser.parse_args()
    print(json.dumps({"set_up": machine(), "rounds": options.rounds, "steps": STEPS}), flush=True)
    with tempfile.TemporaryDirectory() as home:
        # Its own folders: no lesson bookmark or kept training of the user's to ask about first.
        session = TerminalSession(env={f"XDG_{kind}_HOME": str(Path(home) / kind) for kind in ("CACHE", "DATA", "CONFIG")})
        try:
            samples = measure(session, options.rounds)
        finally:
            session.close()
    warm = samples[1] if len(samples) > 2 else samples[0]
    print(
        json.dumps(
            {
                "measure": "resident memory as closed screens come and go",
                "rss_mb_start": samples[0]["rss_mb"],
                "rss_mb_end": samples[-1]["rss_mb"],
                "growth_mb": round(samples[-1]["rss_mb"] - samples[0]["rss_mb"], 1),
                f"growth_from_round_{warm['round']}_mb": round(samples[-1]["rss_mb"] - warm["rss_mb"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()

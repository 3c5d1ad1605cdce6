"""How a run in a thread of its own goes between steps: its speeds, its pause and its reports."""

from __future__ import annotations

import threading
import time

from gdtui.core.drive import DEFAULT_SPEED, SPEEDS, Pacer, next_speed


def test_the_speeds_go_round_and_an_unknown_one_comes_back_to_the_default():
    seen = [DEFAULT_SPEED]
    for _ in SPEEDS:
        seen.append(next_speed(seen[-1]))
    assert seen[-1] == DEFAULT_SPEED and sorted(seen[:-1]) == sorted(SPEEDS)
    assert next_speed(7) == DEFAULT_SPEED


def test_a_slow_run_waits_its_turn_and_a_pause_ends_the_wait_at_once():
    pacer = Pacer(report_every=60)
    pacer.speed = 1
    between = pacer.between(lambda: None)
    threading.Timer(0.1, pacer.pause).start()
    began = time.monotonic()
    between()
    assert time.monotonic() - began < 0.5
    assert not pacer.going()
    pacer.start()
    assert pacer.going()


def test_a_run_flat_out_reports_at_most_every_so_often_and_waits_only_for_a_frame_being_drawn():
    pacer = Pacer(report_every=0.05)
    pacer.speed = 0
    reports = []
    between = pacer.between(lambda: reports.append(time.monotonic()))
    began = time.monotonic()
    while time.monotonic() - began < 0.3:
        between()
    assert 3 <= len(reports) <= 7
    pacer.idle.clear()
    began = time.monotonic()
    between()  # the frame never comes: the run goes on after a while all the same
    assert 0.05 <= time.monotonic() - began < 1

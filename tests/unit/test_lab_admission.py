"""Sessions start a few at a time, first come, first served; a turn ends when the first screen is shown, or after a while."""

from __future__ import annotations

import asyncio

from gdtui.serve.admission import Admission

# Long enough never to end a turn during a test that does not mean it to.
NEVER_S = 3600.0
# How long a test waits for a turn that ends by time, on a busy machine: it ends in 0.01 s.
DEADLINE_S = 30.0


def granted(turns: dict[int, asyncio.Future[None]]) -> list[int]:
    return [number for number, turn in turns.items() if turn.done() and not turn.cancelled()]


async def test_sessions_start_as_many_at_once_as_allowed_then_in_the_order_they_came() -> None:
    admission = Admission(2, NEVER_S)
    turns = {number: admission.turn(number) for number in (1, 2, 3, 4, 5)}
    assert granted(turns) == [1, 2]
    assert admission.waiting == [3, 4, 5]
    admission.done(2)
    assert granted(turns) == [1, 2, 3]
    admission.done(1)
    assert granted(turns) == [1, 2, 3, 4]
    assert admission.starting == [3, 4]
    admission.done(3)
    admission.done(4)
    admission.done(5)
    assert granted(turns) == [1, 2, 3, 4, 5]
    assert admission.starting == [] and admission.waiting == []


async def test_a_session_that_stops_waiting_gives_its_place_to_the_next() -> None:
    admission = Admission(1, NEVER_S)
    turns = {number: admission.turn(number) for number in (1, 2, 3, 4)}
    turns[2].cancel()  # its student left
    admission.done(3)  # its session is over before its turn
    admission.done(1)
    assert granted(turns) == [1, 4]
    assert turns[3].cancelled()
    assert admission.waiting == []


async def test_saying_done_again_or_for_a_session_never_seen_frees_no_other_place() -> None:
    admission = Admission(1, NEVER_S)
    turns = {number: admission.turn(number) for number in (1, 2, 3)}
    admission.done(1)
    admission.done(1)
    admission.done(99)
    assert granted(turns) == [1, 2]
    assert admission.starting == [2]


async def test_a_session_that_never_says_its_screen_is_shown_holds_the_next_up_only_so_long() -> None:
    admission = Admission(1, 0.01)
    first, second = admission.turn(1), admission.turn(2)
    assert first.done() and not second.done()
    await asyncio.wait_for(second, DEADLINE_S)  # once session 1 has had its time
    third = admission.turn(3)
    # Session 1's word, coming after all, frees no place: session 2 has the only one.
    admission.done(1)
    assert admission.starting == [2] and not third.done()
    await asyncio.wait_for(third, DEADLINE_S)

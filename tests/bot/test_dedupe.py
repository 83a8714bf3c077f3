from __future__ import annotations

from bot.dedupe import RecentIds


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_id_is_new_once_within_the_window() -> None:
    recent = RecentIds(clock=Clock())
    assert recent.first_time("Ev1") is True
    assert recent.first_time("Ev1") is False
    assert recent.first_time("Ev2") is True


def test_ids_are_forgotten_after_the_window() -> None:
    clock = Clock()
    recent = RecentIds(ttl=60, clock=clock)
    recent.first_time("Ev1")
    clock.now = 61
    assert recent.first_time("Ev1") is True


def test_memory_is_bounded() -> None:
    recent = RecentIds(capacity=3, clock=Clock())
    for n in range(5):
        recent.first_time(f"Ev{n}")
    assert recent.first_time("Ev0") is True  # pushed out by newer ones
    assert recent.first_time("Ev4") is False

"""`/cost digest on [day] [HH:MM] [time zone]`: when a channel's weekly digest is posted, read from a few words.

The words come in any order and any case: `fri 17:30 europe/berlin`, `9am tokyo on mondays`, `noon utc`. What
is left out is taken by default (Monday, 09:00, the user's Slack time zone) and listed in `Schedule.assumed`,
so the answer can say what was taken for granted rather than leave the user to guess.

A time zone is a place whose clock the digest follows, daylight saving included: an IANA name, UTC, or a city
that names exactly one zone. Abbreviations such as PST name one season's offset, not a place, so they are
refused with the zone that was probably meant.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from dataclasses import dataclass
from datetime import date

from costing.errors import ScheduleError
from costing.zones import close_zones, quoted, read_city, read_zone, zone_name

__all__ = ["DAY_NAMES", "SHORT_DAY_NAMES", "Schedule", "ScheduleError", "iso_week", "parse_schedule"]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: The short forms of the days, as examples spell them: `/cost digest on fri 17:30 Europe/Berlin`.
SHORT_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = {
    word: weekday
    for weekday, words in enumerate(
        (
            ("mon", "monday", "mondays"),
            ("tue", "tues", "tuesday", "tuesdays"),
            ("wed", "weds", "wednesday", "wednesdays"),
            ("thu", "thur", "thurs", "thursday", "thursdays"),
            ("fri", "friday", "fridays"),
            ("sat", "saturday", "saturdays"),
            ("sun", "sunday", "sundays"),
        )
    )
    for word in words
}
_FILLERS = frozenset({"at", "on", "every", "each", "weekly", "in"})
#: Words asking for more (or less) than one digest a week: answered with "pick one day", not "not understood".
_NOT_WEEKLY = frozenset({"daily", "everyday", "weekday", "weekdays", "weekend", "weekends", "hourly", "monthly"})
_NAMED_TIMES = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}

_CLOCK = re.compile(r"(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})")  # 09:00, 9:30, 17.30, 17h30
_HOURS_H = re.compile(r"(?P<hour>\d{1,2})h")  # 17h
_AM_PM = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?P<half>[ap])\.?m\.?")  # 9am, 9:30pm, 9a.m.
_BARE = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?")  # 9 or 9:30, before a separate am/pm
_HALF = re.compile(r"(?P<half>[ap])\.?m\.?")  # am, pm, a.m., p.m.

_DEFAULT_DAY = 0
_DEFAULT_TIME = (9, 0)
#: The zone shown in examples when the user gave none that we could read.
_EXAMPLE_ZONE = "Europe/Berlin"
_SHAPE = "digest on [day] [HH:MM] [time zone]"


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a weekly digest is posted: a day, a time of day, and the time zone whose clock that time is on.

    Attributes:
        weekday: 0 = Monday … 6 = Sunday, as `date.weekday()`.
        hour: 0 to 23.
        minute: 0 to 59.
        timezone: The IANA name as zoneinfo spells it: `Europe/Berlin`, `UTC`.
        assumed: What was taken by default, in words for the answer:
            `("Monday (the default day)", "Europe/Berlin (your Slack time zone)")`.
    """

    weekday: int
    hour: int
    minute: int
    timezone: str
    #: What was taken by default, said in the answer: ("Monday (the default day)", "UTC (no Slack time zone known)").
    assumed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A schedule read back from storage skips the parser; a bad one should fail here, not at 3am in a pass.
        if not (0 <= self.weekday <= 6 and 0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError(f"not a weekly time: weekday={self.weekday} hour={self.hour} minute={self.minute}")

    @property
    def at_time(self) -> str:
        """The time of day on a 24-hour clock: `09:00`."""
        return f"{self.hour:02d}:{self.minute:02d}"

    @property
    def day_name(self) -> str:
        """The day in English whatever the server's locale: `Monday`."""
        return DAY_NAMES[self.weekday]

    @property
    def short_day_name(self) -> str:
        """The day as examples spell it: `mon`."""
        return SHORT_DAY_NAMES[self.weekday]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The time zone, daylight saving included (zoneinfo caches the instance)."""
        return zoneinfo.ZoneInfo(self.timezone)

    def describe(self) -> str:
        """The schedule in a few words for the answer: `Mondays at 09:00 (Europe/Berlin)`."""
        return f"{self.day_name}s at {self.at_time} ({self.timezone})"


def parse_schedule(args: str, *, default_timezone: str | None) -> Schedule:
    """Read a day, a time and a time zone, in any order; each one left out is taken by default.

    Days: `mon`, `Monday`, `mondays`, `Mon.`, `tues`, `thurs` … Times: `09:00`, `9:30`, `9am`, `9 am`, `9:30pm`,
    `12pm` (noon), `12am` (midnight), `17h`, `17.30`, `noon`, `midnight`. Zones: `Europe/Berlin` in any case,
    `UTC`/`GMT`/`Z`, or a city that names one zone (`berlin`, `new_york`, `new york`). `at`, `on`, `every`,
    `each`, `weekly` and `in` are ignored.

    Args:
        args: What follows `digest on`; may be empty.
        default_timezone: The user's Slack time zone, used when none is given; ignored unless it is an IANA name.

    Raises:
        ScheduleError: A word not understood, an impossible time, more than one day, time or zone, or a zone
            abbreviation; with an example that works.
    """
    words = [word for word in (_clean(raw) for raw in args.split()) if word]
    days: list[int] = []
    times: list[tuple[int, int]] = []
    zones: list[str] = []
    problem: ScheduleError | None = None
    i = 0
    while i < len(words):
        try:
            used, day, time, zone = _read(words, i)
        except ScheduleError as error:
            # Keep reading: the words after the bad one still bring the example closer to what was meant.
            problem = problem or error
            i += 1
            continue
        if day is not None and day not in days:
            days.append(day)
        if time is not None and time not in times:
            times.append(time)
        if zone is not None and zone not in zones:
            zones.append(zone)
        i += used

    slack_zone = zone_name(default_timezone) if default_timezone else None
    suggested = problem.suggestions[0] if problem and problem.suggestions else ""
    example = _example(
        _DAY_WORDS.get(suggested.lower(), days[0] if days else _DEFAULT_DAY),
        times[0] if times else _DEFAULT_TIME,
        zone_name(suggested) or (zones[0] if zones else None) or slack_zone or _EXAMPLE_ZONE,
    )
    if problem is not None:
        raise ScheduleError(problem.message, word=problem.word, suggestions=problem.suggestions, example=example)
    for what, given in (
        ("day", [DAY_NAMES[day] for day in days]),
        ("time", [f"{hour:02d}:{minute:02d}" for hour, minute in times]),
        ("time zone", zones),
    ):
        if len(given) > 1:
            raise ScheduleError(
                f"The digest comes once a week: pick one {what} (you gave {' and '.join(given[:2])}).", example=example
            )

    assumed = []
    if not days:
        assumed.append(f"{DAY_NAMES[_DEFAULT_DAY]} (the default day)")
    if not times:
        assumed.append(f"{_DEFAULT_TIME[0]:02d}:{_DEFAULT_TIME[1]:02d} (the default time)")
    if not zones:
        assumed.append(f"{slack_zone} (your Slack time zone)" if slack_zone else "UTC (no Slack time zone known)")
    hour, minute = times[0] if times else _DEFAULT_TIME
    return Schedule(
        weekday=days[0] if days else _DEFAULT_DAY,
        hour=hour,
        minute=minute,
        timezone=zones[0] if zones else slack_zone or "UTC",
        assumed=tuple(assumed),
    )


def iso_week(day: date) -> str:
    """The ISO year and week a day falls in, the key of one week's digest: `2026-W48`.

    Around New Year the ISO year is not the calendar year: 2027-01-01 is in `2026-W53`, 2024-12-30 in `2025-W01`.
    """
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# --- reading one word ---------------------------------------------------------------------------------------------


def _clean(raw: str) -> str:
    """A word without quotes or brackets around it, nor the punctuation of a sentence after it (`Mon.`, `9am,`)."""
    return raw.strip("\"'`()[]").rstrip(",;!?").removesuffix(".")


def _read(words: list[str], i: int) -> tuple[int, int | None, tuple[int, int] | None, str | None]:
    """What `words[i]` (and perhaps the words after it) says: (words used, day, time, zone), at most one not None.

    Raises:
        ScheduleError: The word is not a day, a time, a zone nor a filler; without an example (the caller adds it).
    """
    # Cities of two or three words (`new york`, `ho chi minh`) are tried before the words alone: `new` means nothing.
    for n in (3, 2):
        if i + n <= len(words) and (zone := read_city("_".join(words[i : i + n]), quiet=True)):
            return n, None, None, zone
    word = words[i]
    key = word.lower()
    if key in _FILLERS:
        return 1, None, None, None
    if key in _DAY_WORDS:
        return 1, _DAY_WORDS[key], None, None
    if key in _NOT_WEEKLY:
        raise ScheduleError(f"The digest comes once a week: pick one day instead of '{key}'.", word=word)
    if key in _NAMED_TIMES:
        return 1, None, _NAMED_TIMES[key], None
    if any(c.isdigit() for c in key) and (time := _time(words, i)):
        return time
    if zone := read_zone(word):
        return 1, None, None, zone
    if key[0].isdigit():
        raise ScheduleError(
            f"I can't read {quoted(word)} as a time of day: write 09:00, 9am, 9:30pm or 17h.", word=word
        )
    raise _not_understood(words, i)


def _time(words: list[str], i: int) -> tuple[int, int | None, tuple[int, int], None] | None:
    """A time of day starting at `words[i]`, or None when the word is not written like one.

    Raises:
        ScheduleError: Written like a time but not one: `25:00`, `9:75`, `13pm`, a bare `9`.
    """
    word = words[i]
    key = word.lower()
    if match := _AM_PM.fullmatch(key):
        return 1, None, _twelve_hour(word, match["hour"], match["minute"], match["half"]), None
    half = _HALF.fullmatch(words[i + 1].lower()) if i + 1 < len(words) else None
    if half and (match := _BARE.fullmatch(key)):
        return 2, None, _twelve_hour(f"{word} {words[i + 1]}", match["hour"], match["minute"], half["half"]), None
    if match := _CLOCK.fullmatch(key) or _HOURS_H.fullmatch(key):
        minute = match.groupdict().get("minute") or "00"
        return 1, None, _twenty_four_hour(word, int(match["hour"]), int(minute)), None
    if match := _BARE.fullmatch(key):
        hour = int(match["hour"])
        if hour <= 12:
            hint = f"{hour:02d}:00, {hour}am or {hour}pm"
        elif hour <= 23:
            hint = f"{hour}:00 or {hour}h"
        else:
            hint = "09:00, 9am or 17h"
        raise ScheduleError(f"I can't tell what time '{word}' is: write {hint}.", word=word)
    return None  # not written like a time: perhaps a zone with digits (Etc/GMT+5, EST5EDT)


def _twenty_four_hour(word: str, hour: int, minute: int) -> tuple[int, int]:
    if hour > 23:
        raise ScheduleError(f"{quoted(word)} is not a time of day: hours go from 0 to 23.", word=word)
    if minute > 59:
        raise ScheduleError(f"{quoted(word)} is not a time of day: minutes go from 00 to 59.", word=word)
    return hour, minute


def _twelve_hour(word: str, hour_text: str, minute_text: str | None, half: str) -> tuple[int, int]:
    hour, minute = int(hour_text), int(minute_text or 0)
    if 13 <= hour <= 23:
        raise ScheduleError(
            f"'{word}' mixes a 24-hour clock with am/pm: write {hour:02d}:{minute:02d} or {hour - 12}pm.", word=word
        )
    if not 1 <= hour <= 12:
        raise ScheduleError(f"'{word}' is not a time of day: with am/pm the hour goes from 1 to 12.", word=word)
    if minute > 59:
        raise ScheduleError(f"'{word}' is not a time of day: minutes go from 00 to 59.", word=word)
    # 12am is midnight and 12pm noon: the hour 12 belongs to the half that follows it.
    return (hour % 12 + (12 if half == "p" else 0)), minute


def _not_understood(words: list[str], i: int) -> ScheduleError:
    """The error for a word that is nothing we know, with the closest day or zone when there is one."""
    word = words[i]
    key = word.lower()
    if day := difflib.get_close_matches(key, _DAY_WORDS, n=1, cutoff=0.75):
        name = DAY_NAMES[_DAY_WORDS[day[0]]]
        return ScheduleError(f"I don't understand {quoted(word)}. Did you mean {name}?", word=word, suggestions=(name,))
    # A misspelt city of two words (`new yrok`): offer the city for both words rather than "what is 'new'?".
    for n in (3, 2):
        if i + n <= len(words) and (close := close_zones("_".join(words[i : i + n]), city_cutoff=0.85)):
            typed = " ".join(words[i : i + n])
            return ScheduleError(
                f"I don't know the time zone {quoted(typed)}. {_did_you_mean(close)}", word=typed, suggestions=close
            )
    close = close_zones(key)
    if close or "/" in key:
        hint = _did_you_mean(close) if close else "Give an IANA name such as Europe/Berlin, or a city such as Tokyo."
        return ScheduleError(f"I don't know the time zone {quoted(word)}. {hint}", word=word, suggestions=close)
    return ScheduleError(
        f"I don't understand {quoted(word)}: a digest schedule is a day, a time and a time zone, in any order: "
        f"{_SHAPE}.",
        word=word,
    )


def _did_you_mean(names: tuple[str, ...]) -> str:
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"Did you mean {listed}?"


def _example(weekday: int, time: tuple[int, int], zone: str) -> str:
    return f"/cost digest on {SHORT_DAY_NAMES[weekday]} {time[0]:02d}:{time[1]:02d} {zone}"

"""Time zones as people type them in `/cost digest on …`: an IANA name (`europe/berlin`), UTC in any of its
spellings, or a city that names exactly one zone (`tokyo`); abbreviations such as PST name one season's offset,
not a place, and are refused with the zone that was probably meant. Close misspellings are offered.
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from datetime import UTC, datetime, timedelta

from costing.errors import ScheduleError

__all__ = ["close_zones", "quoted", "read_city", "read_zone", "zone_name"]

#: Every spelling of plain UTC that zoneinfo knows; all are one clock, so the answer shows the familiar name.
_UTC_WORDS = frozenset(
    {
        "utc",
        "gmt",
        "z",
        "zulu",
        "uct",
        "universal",
        "greenwich",
        "gmt0",
        "gmt+0",
        "gmt-0",
        "etc/utc",
        "etc/gmt",
        "etc/uct",
        "etc/universal",
        "etc/zulu",
        "etc/greenwich",
        "etc/gmt0",
        "etc/gmt+0",
        "etc/gmt-0",
    }
)
#: Names zoneinfo lists that are not a place: the server's own clock, and tzdata's placeholder.
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})
#: US abbreviations and the zone people mean by them. zoneinfo has EST and MST, but as fixed offsets that never
#: change for summer, which is never what "9am EST" in New York means; so these are refused, with the zone.
_US_ABBREVIATIONS = {
    **dict.fromkeys(("pst", "pdt"), ("America/Los_Angeles", "US Pacific")),
    **dict.fromkeys(("mst", "mdt"), ("America/Denver", "US Mountain")),
    **dict.fromkeys(("cst", "cdt"), ("America/Chicago", "US Central")),
    **dict.fromkeys(("est", "edt"), ("America/New_York", "US Eastern")),
    **dict.fromkeys(("akst", "akdt"), ("America/Anchorage", "Alaska")),
}
#: When two zones share a city name, they are the same zone if their clocks agree at every one of these instants
#: (weekly, 1970 to 2037): daylight-saving changes are weeks apart, so a difference cannot slip between two.
_CLOCK_CHECKS = tuple(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(weeks=k) for k in range(0, 68 * 53))
_MAX_SHOWN = 30
_OFFSET = re.compile(r"(?:utc|gmt)?(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?")  # UTC+2, +05:30


def quoted(word: str) -> str:
    """A word as quoted back: short, and never Slack markup (a mention or a link would render, or ping)."""
    if "<" in word or ">" in word:
        return "that link or mention"
    return f"'{word}'" if len(word) <= _MAX_SHOWN else f"'{word[: _MAX_SHOWN - 1]}…'"


def read_zone(word: str) -> str | None:
    """The zone a word names, or None when it names none.

    Raises:
        ScheduleError: A US abbreviation (`PST`), or a city shared by zones with different clocks (`eastern`).
    """
    key = word.lower()
    if key in _US_ABBREVIATIONS:
        name, region = _US_ABBREVIATIONS[key]
        raise ScheduleError(
            f"{word.upper()} is one season's offset, not a place's clock: a digest at 09:00 {word.upper()} would be an "
            f"hour off for half the year. For {region} time, daylight saving included, use {name}.",
            word=word,
            suggestions=(name,),
        )
    if offset := _OFFSET.fullmatch(key):
        hours = int(offset["hours"]) * (-1 if offset["sign"] == "-" else 1)
        if hours == 0 and int(offset["minutes"] or 0) == 0:
            return "UTC"
        # tzdata's fixed zones count the other way round (Etc/GMT-2 is two hours ahead of UTC): say so, don't guess.
        fixed = (
            f" (or Etc/GMT{-hours:+d} for that offset all year)" if -12 <= hours <= 14 and not offset["minutes"] else ""
        )
        raise ScheduleError(
            f"{quoted(word)} is an offset, not a place's clock: it would not follow daylight saving. Give the place, "
            f"such as Europe/Berlin or America/New_York{fixed}.",
            word=word,
        )
    if "/" in key or key in _UTC_WORDS:
        return zone_name(word)
    return read_city(key)


def zone_name(name: str) -> str | None:
    """The zone named in full, in any case, as zoneinfo spells it (`europe/berlin` -> `Europe/Berlin`); or None."""
    key = name.strip().lower()
    return "UTC" if key in _UTC_WORDS else _zone_names().get(key)


def read_city(word: str, *, quiet: bool = False) -> str | None:
    """The one zone whose last part is `word` (`berlin`, `new_york`, `port-au-prince`, `singapore`); or None.

    Args:
        word: One word, or several joined with `_`.
        quiet: Return None rather than raise when zones with different clocks share the name.

    Raises:
        ScheduleError: Zones with different clocks share the name (`pacific`: US/Pacific, Canada/Pacific).
    """
    found = _city_zone(_city_key(word))
    if isinstance(found, tuple):
        if quiet:
            return None
        listed = ", ".join(found[:-1]) + " or " + found[-1]
        raise ScheduleError(f"{quoted(word)} could be {listed}: give the full name.", word=word, suggestions=found)
    return found


def _city_zone(key: str) -> str | tuple[str, ...] | None:
    """The zone for a city key; a tuple of names when several zones with different clocks share it."""
    names = _cities().get(key)
    return _one_place(names) if names else None


@functools.cache  # on zone names only, never on what users type: the cache stays as small as tzdata
def _one_place(names: tuple[str, ...]) -> str | tuple[str, ...]:
    """The zone that zones sharing a city name stand for; all of them, sorted, when their clocks differ.

    tzdata keeps old names as links (`America/Buenos_Aires` for `America/Argentina/Buenos_Aires`, `Singapore`
    for `Asia/Singapore`); a city shared only by such links is one place, shown by its longest, regional name.
    """
    if len(names) == 1:
        return names[0]
    best = min(names, key=lambda name: (-name.count("/"), name))
    if all(_same_clock(best, other) for other in names if other != best):
        return best
    return tuple(sorted(names))


def _same_clock(one: str, other: str) -> bool:
    first, second = zoneinfo.ZoneInfo(one), zoneinfo.ZoneInfo(other)
    return all(
        moment.astimezone(first).utcoffset() == moment.astimezone(second).utcoffset() for moment in _CLOCK_CHECKS
    )


def close_zones(word: str, *, city_cutoff: float = 0.8) -> tuple[str, ...]:
    """Up to three zones close to a misspelt name or city, best first: `europe/berln`, `berln` -> Europe/Berlin.

    Full names are held to a higher likeness: their shared region (`europe/`) makes any two look alike.
    """
    key = word.lower()
    found = [_zone_names()[close] for close in difflib.get_close_matches(key, _zone_names(), 3, 0.85)]
    for close in difflib.get_close_matches(_city_key(key), _cities(), 3, city_cutoff):
        zone = _city_zone(close)
        found.extend(zone if isinstance(zone, tuple) else [zone] if zone else [])
    return tuple(dict.fromkeys(found))[:3]


def _city_key(word: str) -> str:
    # `port-au-prince`, `port au prince` and `Port-au-Prince` are one city.
    return word.lower().replace("-", "_").replace(" ", "_")


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every zone zoneinfo can load, by its name in lower case (`europe/berlin` -> `Europe/Berlin`).

    Cached: `zoneinfo.available_timezones()` walks the zone directories on disk at every call.
    """
    return {name.lower(): name for name in zoneinfo.available_timezones() if name not in _NOT_PLACES}


@functools.cache
def _cities() -> dict[str, tuple[str, ...]]:
    """Every zone by its last part as a city key: `berlin` -> (Europe/Berlin,), `nicosia` -> two links to one zone."""
    cities: dict[str, list[str]] = {}
    for name in _zone_names().values():
        cities.setdefault(_city_key(name.rsplit("/", 1)[-1]), []).append(name)
    return {city: tuple(names) for city, names in cities.items()}

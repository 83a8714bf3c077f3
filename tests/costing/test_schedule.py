from __future__ import annotations

import pickle
from datetime import date, datetime, timedelta

import pytest

from costing.due import next_due
from costing.schedule import Schedule, ScheduleError, iso_week, parse_schedule

BERLIN = "Europe/Berlin"


def parse(args: str, default_timezone: str | None = BERLIN) -> Schedule:
    return parse_schedule(args, default_timezone=default_timezone)


def error(args: str, default_timezone: str | None = BERLIN) -> ScheduleError:
    with pytest.raises(ScheduleError) as raised:
        parse(args, default_timezone)
    return raised.value


# --- days ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "weekday"),
    [("mon", 0), ("Monday", 0), ("mondays", 0), ("Mon.", 0), ("MON", 0),
     ("tue", 1), ("tues", 1), ("Tuesday", 1), ("tuesdays", 1),
     ("wed", 2), ("weds", 2), ("wednesday", 2), ("Wednesdays", 2),
     ("thu", 3), ("thur", 3), ("thurs", 3), ("Thursday", 3), ("thursdays", 3),
     ("fri", 4), ("Friday", 4), ("fridays", 4), ("Fri.", 4),
     ("sat", 5), ("saturday", 5), ("Saturdays", 5),
     ("sun", 6), ("Sunday", 6), ("sundays", 6)],
)  # fmt: skip
def test_a_day_is_read_in_short_long_plural_and_dotted_forms_in_any_case(word: str, weekday: int) -> None:
    assert parse(word).weekday == weekday


def test_the_same_day_twice_is_one_day() -> None:
    assert parse("monday mon").weekday == 0


@pytest.mark.parametrize("args", ["mon fri", "Tuesday thursday 9:00", "sat 9am sundays"])
def test_two_days_are_refused_because_the_digest_comes_once_a_week(args: str) -> None:
    problem = error(args)
    assert "once a week" in problem.message
    assert "pick one day" in problem.message


def test_the_two_days_refused_are_named() -> None:
    assert "Monday and Friday" in error("mon fri").message


@pytest.mark.parametrize("word", ["daily", "weekdays", "weekends", "everyday"])
def test_asking_for_more_than_one_day_a_week_says_pick_one_day(word: str) -> None:
    problem = error(f"{word} 9:00")
    assert "pick one day" in problem.message
    assert problem.word == word


# --- times --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "hour", "minute"),
    [("09:00", 9, 0), ("9:00", 9, 0), ("9:30", 9, 30), ("00:00", 0, 0), ("0:05", 0, 5), ("23:59", 23, 59),
     ("9am", 9, 0), ("9AM", 9, 0), ("9 am", 9, 0), ("9 PM", 21, 0), ("9:30pm", 21, 30), ("9.30pm", 21, 30),
     ("9:30 pm", 21, 30), ("9a.m.", 9, 0), ("9 a.m.", 9, 0), ("9:30 P.M.", 21, 30), ("1pm", 13, 0),
     ("12pm", 12, 0), ("12am", 0, 0), ("12:30am", 0, 30), ("12:30pm", 12, 30), ("11:59pm", 23, 59),
     ("17h", 17, 0), ("9h", 9, 0), ("17h30", 17, 30), ("17.30", 17, 30), ("noon", 12, 0), ("Noon", 12, 0),
     ("midday", 12, 0), ("midnight", 0, 0), ("at 9:00", 9, 0), ("at noon", 12, 0), ("9am,", 9, 0)],
)  # fmt: skip
def test_a_time_is_read_on_24_and_12_hour_clocks_and_by_name(args: str, hour: int, minute: int) -> None:
    schedule = parse(args)
    assert (schedule.hour, schedule.minute) == (hour, minute)


def test_the_same_time_written_twice_is_one_time() -> None:
    assert parse("17:00 5pm").at_time == "17:00"


def test_two_times_are_refused_and_named() -> None:
    problem = error("9:00 17:00")
    assert "pick one time" in problem.message
    assert "09:00 and 17:00" in problem.message


@pytest.mark.parametrize(
    ("word", "says"),
    [("25:00", "hours go from 0 to 23"), ("24:00", "hours go from 0 to 23"), ("9:75", "minutes go from 00 to 59"),
     ("99h", "hours go from 0 to 23"), ("13pm", "mixes a 24-hour clock with am/pm"), ("0am", "from 1 to 12"),
     ("9:60am", "minutes go from 00 to 59"), ("9:5", "as a time of day"), ("9:00:00", "as a time of day")],
)  # fmt: skip
def test_an_impossible_time_is_refused_with_the_reason_and_the_word(word: str, says: str) -> None:
    problem = error(f"mon {word} UTC")
    assert says in problem.message
    assert f"'{word}'" in problem.message
    assert problem.word == word


def test_13pm_is_answered_with_both_ways_to_write_it() -> None:
    assert "write 13:00 or 1pm" in error("13pm").message


@pytest.mark.parametrize(("word", "hint"), [("9", "09:00, 9am or 9pm"), ("17", "17:00 or 17h"), ("at 12", "12:00")])
def test_a_bare_hour_asks_for_minutes_or_am_pm(word: str, hint: str) -> None:
    problem = error(word)
    assert "I can't tell what time" in problem.message
    assert hint in problem.message


# --- time zones ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "zone"),
    [("Europe/Berlin", "Europe/Berlin"), ("europe/berlin", "Europe/Berlin"), ("EUROPE/BERLIN", "Europe/Berlin"),
     ("america/new_york", "America/New_York"), ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
     ("asia/kolkata", "Asia/Kolkata"), ("us/eastern", "US/Eastern"), ("Etc/GMT+5", "Etc/GMT+5"),
     ("america/port-au-prince", "America/Port-au-Prince"), ("(Europe/Berlin)", "Europe/Berlin")],
)  # fmt: skip
def test_an_iana_name_is_read_in_any_case_and_given_back_as_zoneinfo_spells_it(word: str, zone: str) -> None:
    assert parse(f"mon 9:00 {word}").timezone == zone


@pytest.mark.parametrize(
    "word", ["UTC", "utc", "GMT", "gmt", "Z", "z", "Zulu", "Etc/UTC", "etc/gmt", "UCT", "Universal", "UTC+0", "gmt-0"]
)
def test_every_spelling_of_utc_is_utc(word: str) -> None:
    assert parse(word).timezone == "UTC"


@pytest.mark.parametrize(
    ("args", "zone"),
    [("berlin", "Europe/Berlin"), ("Tokyo", "Asia/Tokyo"), ("new_york", "America/New_York"),
     ("new york", "America/New_York"), ("New York", "America/New_York"), ("los angeles", "America/Los_Angeles"),
     ("sao_paulo", "America/Sao_Paulo"), ("ho chi minh", "Asia/Ho_Chi_Minh"),
     ("port-au-prince", "America/Port-au-Prince"), ("port au prince", "America/Port-au-Prince"),
     ("kolkata", "Asia/Kolkata")],
)  # fmt: skip
def test_a_city_that_names_one_zone_is_that_zone(args: str, zone: str) -> None:
    assert parse(args).timezone == zone


@pytest.mark.parametrize(
    ("args", "zone"),
    [("buenos_aires", "America/Argentina/Buenos_Aires"), ("buenos aires", "America/Argentina/Buenos_Aires"),
     ("indianapolis", "America/Indiana/Indianapolis"), ("singapore", "Asia/Singapore"), ("jamaica", "America/Jamaica")],
)  # fmt: skip
def test_a_city_shared_only_by_old_links_to_one_zone_is_that_zone_by_its_regional_name(args: str, zone: str) -> None:
    assert parse(args).timezone == zone


def test_a_city_shared_by_zones_with_different_clocks_asks_for_the_full_name() -> None:
    problem = error("pacific")
    assert "Canada/Pacific" in problem.message
    assert "US/Pacific" in problem.message
    assert "give the full name" in problem.message


def test_a_two_word_city_is_read_next_to_a_day_and_a_time() -> None:
    schedule = parse("fri new york 5pm")
    assert (schedule.weekday, schedule.hour, schedule.timezone) == (4, 17, "America/New_York")


@pytest.mark.parametrize(("word", "zone"), [("CET", "CET"), ("cet", "CET"), ("EET", "EET"), ("HST", "HST"),
                                            ("est5edt", "EST5EDT"), ("pst8pdt", "PST8PDT")])  # fmt: skip
def test_an_abbreviation_zoneinfo_knows_as_a_zone_is_accepted_as_zoneinfo_spells_it(word: str, zone: str) -> None:
    assert parse(word).timezone == zone


@pytest.mark.parametrize(
    ("word", "zone"),
    [("PST", "America/Los_Angeles"), ("pdt", "America/Los_Angeles"), ("MST", "America/Denver"),
     ("mdt", "America/Denver"), ("CST", "America/Chicago"), ("cdt", "America/Chicago"), ("EST", "America/New_York"),
     ("edt", "America/New_York"), ("akst", "America/Anchorage")],
)  # fmt: skip
def test_a_us_abbreviation_is_refused_with_the_zone_that_follows_daylight_saving(word: str, zone: str) -> None:
    problem = error(f"mon 9am {word}")
    assert word.upper() in problem.message
    assert "offset" in problem.message
    assert f"use {zone}" in problem.message
    assert problem.suggestions == (zone,)
    assert problem.example == f"/cost digest on mon 09:00 {zone}"


def test_est_is_refused_although_zoneinfo_has_it_because_it_never_changes_for_summer() -> None:
    assert "America/New_York" in error("EST").message


@pytest.mark.parametrize(("word", "fixed"), [("UTC+2", "Etc/GMT-2"), ("gmt-5", "Etc/GMT+5"), ("+3", "Etc/GMT-3")])
def test_an_offset_is_refused_with_the_place_and_the_fixed_zone_with_its_reversed_sign(word: str, fixed: str) -> None:
    problem = error(word)
    assert "offset" in problem.message
    assert "Europe/Berlin" in problem.message
    assert fixed in problem.message


def test_a_half_hour_offset_is_refused_without_a_fixed_zone_that_does_not_exist() -> None:
    problem = error("+05:30")
    assert "offset" in problem.message
    assert "Etc/GMT" not in problem.message


def test_two_zones_are_refused_and_named() -> None:
    problem = error("utc berlin")
    assert "pick one time zone" in problem.message
    assert "UTC and Europe/Berlin" in problem.message


@pytest.mark.parametrize(
    ("word", "close"),
    [("berln", "Europe/Berlin"), ("Europe/Berln", "Europe/Berlin"), ("europe/berlinn", "Europe/Berlin"),
     ("amerca/chicago", "America/Chicago"), ("tokio", "Asia/Tokyo"), ("asia/tokio", "Asia/Tokyo"),
     ("londn", "Europe/London"), ("new_yrok", "America/New_York"), ("sydny", "Australia/Sydney")],
)  # fmt: skip
def test_an_unknown_zone_is_named_with_the_closest_zone(word: str, close: str) -> None:
    problem = error(f"mon 09:00 {word}")
    assert f"'{word}'" in problem.message
    assert f"Did you mean {close}" in problem.message
    assert problem.suggestions[0] == close
    assert problem.word == word


def test_a_misspelt_two_word_city_is_named_as_both_words() -> None:
    problem = error("new yrok")
    assert problem.word == "new yrok"
    assert "Did you mean America/New_York?" in problem.message


def test_the_suggested_zone_is_not_drowned_in_zones_of_the_same_region() -> None:
    assert error("europe/berln").suggestions == ("Europe/Berlin",)


def test_an_unknown_zone_with_nothing_close_shows_how_zones_are_written() -> None:
    problem = error("Mars/Olympus_Mons")
    assert "I don't know the time zone 'Mars/Olympus_Mons'" in problem.message
    assert "Europe/Berlin" in problem.message
    assert problem.example == "/cost digest on mon 09:00 Europe/Berlin"


@pytest.mark.parametrize("word", ["localtime", "Factory"])
def test_names_zoneinfo_lists_that_are_not_places_are_not_zones(word: str) -> None:
    assert error(word).word == word


# --- defaults -----------------------------------------------------------------------------------------------------


def test_nothing_given_is_monday_at_nine_in_the_slack_time_zone_and_all_three_are_said() -> None:
    assert parse("") == Schedule(
        0, 9, 0, BERLIN,
        ("Monday (the default day)", "09:00 (the default time)", "Europe/Berlin (your Slack time zone)"),
    )  # fmt: skip


@pytest.mark.parametrize("args", ["", "   ", "on", "every", "at"])
def test_fillers_alone_are_nothing_given(args: str) -> None:
    assert len(parse(args).assumed) == 3


@pytest.mark.parametrize("slack", [None, "", "Not/AZone", "PST", "localtime"])
def test_without_a_usable_slack_time_zone_utc_is_taken_and_said(slack: str | None) -> None:
    schedule = parse("fri 9:00", slack)
    assert schedule.timezone == "UTC"
    assert schedule.assumed == ("UTC (no Slack time zone known)",)


def test_a_slack_time_zone_in_another_case_is_given_back_as_zoneinfo_spells_it() -> None:
    schedule = parse("", "america/new_york")
    assert schedule.timezone == "America/New_York"
    assert schedule.assumed[-1] == "America/New_York (your Slack time zone)"


@pytest.mark.parametrize(
    ("args", "assumed"),
    [("fri", ("09:00 (the default time)", "Europe/Berlin (your Slack time zone)")),
     ("5pm", ("Monday (the default day)", "Europe/Berlin (your Slack time zone)")),
     ("tokyo", ("Monday (the default day)", "09:00 (the default time)")),
     ("fri 5pm tokyo", ()),
     ("mon 09:00 Europe/Berlin", ())],
)  # fmt: skip
def test_only_what_was_left_out_is_listed_as_assumed(args: str, assumed: tuple[str, ...]) -> None:
    assert parse(args).assumed == assumed


def test_a_zone_given_wins_over_the_slack_time_zone() -> None:
    assert parse("utc", "Asia/Tokyo").timezone == "UTC"


# --- words in any order -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    ["fri 17:30 Europe/Berlin", "17:30 fri europe/berlin", "europe/berlin 5:30pm friday",
     "every Friday at 17.30 berlin", "on fridays at 5:30 pm in Berlin", "FRI 17h30 EUROPE/BERLIN",
     "Fri., 17:30, Europe/Berlin", "weekly on fri at 17:30 berlin"],
)  # fmt: skip
def test_words_come_in_any_order_and_case_with_fillers(args: str) -> None:
    assert parse(args, None) == Schedule(4, 17, 30, "Europe/Berlin")


# --- errors -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["tomorrow", "banana2", "biweekly", "pm"])
def test_a_word_not_understood_is_named_with_the_expected_shape(word: str) -> None:
    problem = error(f"mon {word} 9:00")
    assert f"I don't understand '{word}'" in problem.message
    assert "digest on [day] [HH:MM] [time zone]" in problem.message
    assert problem.word == word


@pytest.mark.parametrize(("word", "day"), [("mnday", "Monday"), ("thrusday", "Thursday"), ("fridya", "Friday")])
def test_a_misspelt_day_is_named_with_the_day(word: str, day: str) -> None:
    problem = error(word)
    assert f"Did you mean {day}?" in problem.message
    assert problem.example is not None and problem.example.startswith(f"/cost digest on {day[:3].lower()} ")


def test_slack_markup_is_never_quoted_back() -> None:
    problem = error("mon <@U123ABC> 9:00")
    assert "<@" not in problem.message
    assert "that link or mention" in problem.message


def test_a_long_word_is_shortened_when_quoted_back() -> None:
    problem = error("x" * 200)
    assert "x" * 200 not in problem.message
    assert "…" in problem.message


def test_the_example_keeps_what_was_understood_and_fixes_what_was_not() -> None:
    assert error("fri 5pm berln").example == "/cost digest on fri 17:00 Europe/Berlin"
    assert error("thu 25:00 tokyo").example == "/cost digest on thu 09:00 Asia/Tokyo"
    assert error("banana sat", "America/Chicago").example == "/cost digest on sat 09:00 America/Chicago"


def test_the_first_problem_is_the_one_reported() -> None:
    assert error("25:00 berln").word == "25:00"


@pytest.mark.parametrize("args", ["tomorrow", "25:00", "berln", "PST", "mon fri", "UTC+2", "pacific", "daily"])
def test_every_example_in_an_error_parses(args: str) -> None:
    example = error(args).example
    assert example is not None and example.startswith("/cost digest on ")
    parse(example.removeprefix("/cost digest on "))


def test_the_error_reads_as_its_message_and_keeps_the_example_apart() -> None:
    problem = error("mon 9:00 berln")
    assert str(problem) == problem.message
    assert "Try" not in str(problem)
    assert problem.example == "/cost digest on mon 09:00 Europe/Berlin"
    assert isinstance(problem, ValueError)


def test_the_error_survives_pickling() -> None:
    problem = error("berln")
    copy = pickle.loads(pickle.dumps(problem))
    assert (copy.message, copy.word, copy.suggestions, copy.example) == (
        problem.message, problem.word, problem.suggestions, problem.example,
    )  # fmt: skip


# --- the schedule -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "described"),
    [("", "Mondays at 09:00 (Europe/Berlin)"), ("fri 5:30pm tokyo", "Fridays at 17:30 (Asia/Tokyo)"),
     ("sun midnight utc", "Sundays at 00:00 (UTC)"), ("wed 7:05 new york", "Wednesdays at 07:05 (America/New_York)")],
)  # fmt: skip
def test_describe_says_the_day_the_time_and_the_zone(args: str, described: str) -> None:
    assert parse(args).describe() == described


@pytest.mark.parametrize(
    ("weekday", "short", "name"),
    [(0, "mon", "Monday"), (1, "tue", "Tuesday"), (2, "wed", "Wednesday"), (3, "thu", "Thursday"), (4, "fri", "Friday"),
     (5, "sat", "Saturday"), (6, "sun", "Sunday")],
)  # fmt: skip
def test_short_day_name_and_day_name_follow_the_weekday(weekday: int, short: str, name: str) -> None:
    schedule = Schedule(weekday, 9, 0, "UTC")
    assert (schedule.short_day_name, schedule.day_name) == (short, name)


def test_a_schedule_is_due_on_its_day_at_its_time_on_its_zones_clock() -> None:
    schedule = parse("thu 9:30 berlin")
    assert next_due(schedule, datetime(2026, 3, 23, tzinfo=schedule.zone)) == datetime(
        2026, 3, 26, 9, 30, tzinfo=schedule.zone
    )


@pytest.mark.parametrize(("hour", "minute", "shown"), [(9, 0, "09:00"), (0, 5, "00:05"), (23, 59, "23:59")])
def test_at_time_is_zero_padded(hour: int, minute: int, shown: str) -> None:
    assert Schedule(0, hour, minute, "UTC").at_time == shown


def test_zone_follows_daylight_saving() -> None:
    zone = parse("mon 9:00 berlin").zone
    assert datetime(2026, 1, 5, 9, tzinfo=zone).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 7, 6, 9, tzinfo=zone).utcoffset() == timedelta(hours=2)
    new_york = parse("new york").zone
    assert datetime(2026, 1, 5, 9, tzinfo=new_york).utcoffset() == timedelta(hours=-5)
    assert datetime(2026, 7, 6, 9, tzinfo=new_york).utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize("args", ["", "sat noon utc", "fri 17:30 europe/berlin", "berlin", "buenos aires"])
def test_every_zone_parsed_loads(args: str) -> None:
    assert parse(args).zone.key == parse(args).timezone


@pytest.mark.parametrize(("weekday", "hour", "minute"), [(7, 9, 0), (-1, 9, 0), (0, 24, 0), (0, 9, 60)])
def test_a_schedule_out_of_range_is_refused(weekday: int, hour: int, minute: int) -> None:
    with pytest.raises(ValueError, match="not a weekly time"):
        Schedule(weekday, hour, minute, "UTC")


def test_a_schedule_is_a_value() -> None:
    assert parse("fri 5pm tokyo") == Schedule(4, 17, 0, "Asia/Tokyo")
    assert hash(parse("fri 5pm tokyo")) == hash(Schedule(4, 17, 0, "Asia/Tokyo"))


# --- ISO weeks ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "week"),
    [(date(2026, 11, 23), "2026-W48"), (date(2026, 12, 28), "2026-W53"), (date(2026, 12, 31), "2026-W53"),
     (date(2027, 1, 1), "2026-W53"), (date(2027, 1, 3), "2026-W53"), (date(2027, 1, 4), "2027-W01"),
     (date(2024, 12, 30), "2025-W01"), (date(2026, 1, 5), "2026-W02"), (date(2026, 3, 2), "2026-W10")],
)  # fmt: skip
def test_iso_week_is_the_iso_year_and_the_zero_padded_week(day: date, week: str) -> None:
    assert iso_week(day) == week


def test_iso_week_takes_a_datetime_as_its_day() -> None:
    assert iso_week(datetime(2027, 1, 1, 23, 59)) == "2026-W53"


def test_every_day_of_a_week_shares_its_iso_week() -> None:
    monday = date(2026, 12, 28)
    assert {iso_week(monday + timedelta(days=k)) for k in range(7)} == {"2026-W53"}

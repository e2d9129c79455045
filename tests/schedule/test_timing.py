"""Interval and cron arithmetic, including daylight-saving changes, computed with croniter + zoneinfo."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from detector.errors import ConfigError
from hygiene.schedule.timing import (
    UTC,
    check_cron,
    format_duration,
    load_timezone,
    next_cron_time,
    next_interval_time,
    parse_duration,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("6h", 21600), ("1d", 86400), ("90s", 90),
                                                ("1h30m", 5400), (" 2H ", 7200)])
def test_durations_are_read(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "30", "m", "0m", "1.5h", "30x", "-5m", "1h 30m", "6 hours"])
def test_bad_durations_are_refused_in_one_line(text):
    with pytest.raises(ConfigError) as caught:
        parse_duration(text)
    assert "\n" not in str(caught.value) and repr(text) in str(caught.value)


@pytest.mark.parametrize("text", ["45s", "30m", "1h30m", "2d", "1d1h1m1s"])
def test_format_duration_round_trips(text):
    assert format_duration(parse_duration(text)) == text


@pytest.mark.parametrize("expression", ["0 6 * * *", "*/15 * * * mon-fri", "@daily", "@hourly", "5 4 1 */2 *"])
def test_valid_cron_expressions_pass(expression):
    check_cron(expression)


@pytest.mark.parametrize("expression", ["61 * * * *", "* * * *", "* * * * * *", "every day", "", "@sometimes"])
def test_invalid_cron_expressions_are_refused(expression):
    with pytest.raises(ConfigError, match="bad cron expression"):
        check_cron(expression)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../../etc/passwd", "Europe/"])
def test_unknown_time_zones_are_refused(name):
    with pytest.raises(ConfigError, match="unknown time zone"):
        load_timezone(name)


def _slots(expression, zone, start, count):
    """`count` consecutive slots after `start`, in UTC."""
    slots, moment = [], start
    for _ in range(count):
        moment = next_cron_time(expression, zone, moment)
        slots.append(moment)
    return slots


def test_daily_job_keeps_local_time_across_spring_forward():
    """Paris moves from UTC+1 to UTC+2 on 2024-03-31: 09:00 local goes from 08:00Z to 07:00Z (a 23 h day)."""
    slots = _slots("0 9 * * *", PARIS, datetime(2024, 3, 30, 0, 0, tzinfo=UTC), 3)
    assert slots == [datetime(2024, 3, 30, 8, tzinfo=UTC), datetime(2024, 3, 31, 7, tzinfo=UTC),
                     datetime(2024, 4, 1, 7, tzinfo=UTC)]
    assert [slot.astimezone(PARIS).hour for slot in slots] == [9, 9, 9]


def test_daily_job_keeps_local_time_across_fall_back():
    """Paris goes back to UTC+1 on 2024-10-27: that day is 25 hours long."""
    first, second = _slots("0 9 * * *", PARIS, datetime(2024, 10, 26, 0, 0, tzinfo=UTC), 2)
    assert second - first == timedelta(hours=25)


def test_slot_inside_the_skipped_hour_runs_once_at_the_jump():
    """02:30 does not exist in Paris on 2024-03-31: the job runs once that day, when clocks jump to 03:00."""
    slots = _slots("30 2 * * *", PARIS, datetime(2024, 3, 30, 12, 0, tzinfo=UTC), 2)
    assert slots[0] == datetime(2024, 3, 31, 1, 0, tzinfo=UTC)
    assert slots[0].astimezone(PARIS).isoformat() == "2024-03-31T03:00:00+02:00"
    assert slots[1].astimezone(PARIS).isoformat() == "2024-04-01T02:30:00+02:00"


def test_job_pinned_to_the_repeated_hour_runs_once_when_clocks_go_back():
    """01:30 happens twice in New York on 2024-11-03 (EDT, then EST): a daily job runs only at the first."""
    slots = _slots("30 1 * * *", NEW_YORK, datetime(2024, 11, 3, 0, 0, tzinfo=UTC), 2)
    assert slots == [datetime(2024, 11, 3, 5, 30, tzinfo=UTC), datetime(2024, 11, 4, 6, 30, tzinfo=UTC)]


def test_hourly_job_runs_every_real_hour_when_clocks_go_back():
    """An hourly job runs in both copies of 01:00 in New York on 2024-11-03: one hour apart in real time."""
    slots = _slots("0 * * * *", NEW_YORK, datetime(2024, 11, 3, 4, 30, tzinfo=UTC), 3)
    assert slots == [datetime(2024, 11, 3, hour, tzinfo=UTC) for hour in (5, 6, 7)]
    assert [slot.astimezone(NEW_YORK).hour for slot in slots] == [1, 1, 2]


def test_time_zone_shifts_the_slot():
    after = datetime(2024, 6, 1, 0, 0, tzinfo=UTC)
    assert next_cron_time("0 6 * * *", ZoneInfo("UTC"), after) == datetime(2024, 6, 1, 6, tzinfo=UTC)
    assert next_cron_time("0 6 * * *", ZoneInfo("Asia/Tokyo"), after) == datetime(2024, 6, 1, 21, tzinfo=UTC)


def test_cron_slot_is_strictly_after():
    at_slot = datetime(2024, 6, 1, 6, 0, tzinfo=UTC)
    assert next_cron_time("0 6 * * *", ZoneInfo("UTC"), at_slot) == at_slot + timedelta(days=1)


def test_interval_slot_follows_the_previous_slot_not_the_clock():
    slot = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    late = slot + timedelta(minutes=7)
    assert next_interval_time(slot, timedelta(hours=1), late) == slot + timedelta(hours=1)


def test_missed_interval_slots_collapse_into_one():
    """Down for 5.5 hours with an hourly job: the next slot is the first one in the future, not a backlog."""
    slot = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    now = slot + timedelta(hours=5, minutes=30)
    assert next_interval_time(slot, timedelta(hours=1), now) == slot + timedelta(hours=6)


def test_interval_slot_exactly_on_time():
    slot = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert next_interval_time(slot, timedelta(minutes=30), slot + timedelta(minutes=30)) == slot + timedelta(hours=1)


@pytest.mark.parametrize("text", ["367d", "999999999d", "1000000000d", "8785h", "366d1s", "9" * 5000 + "s"])
def test_durations_over_366_days_are_refused_in_one_line(text):
    with pytest.raises(ConfigError, match="at most 366 days") as caught:
        parse_duration(text)
    assert "\n" not in str(caught.value)


def test_the_longest_duration_is_366_days():
    assert parse_duration("366d") == parse_duration("8784h") == timedelta(days=366)


@pytest.mark.parametrize("expression", ["0 0 31 2 *", "0 0 30 2 *", "0 12 31 4,6,9,11 *"])
def test_cron_expressions_that_never_fire_are_refused(expression):
    with pytest.raises(ConfigError, match="it never fires") as caught:
        check_cron(expression)
    assert "\n" not in str(caught.value)


def test_a_cron_expression_that_fires_once_in_four_years_is_accepted():
    check_cron("0 0 29 2 *")

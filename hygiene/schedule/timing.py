"""When a job is due: interval and cron arithmetic in a job's own time zone (croniter + zoneinfo)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, croniter

from detector.errors import ConfigError

UTC = timezone.utc
_DURATION_PART = re.compile(r"(\d+)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_DURATION_DAYS = 366
"""The longest interval, timeout or grace: a year and a day keeps every slot within datetime's range."""
_MAX_SECONDS = MAX_DURATION_DAYS * _UNIT_SECONDS["d"]


def parse_duration(text: str) -> timedelta:
    """Parse `30m`, `6h`, `1d`, `90s` or a sum such as `1h30m` into a positive timedelta of at most 366 days."""
    compact = text.strip().lower()
    parts = _DURATION_PART.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise ConfigError(f"bad duration {text!r}: use a number and a unit s, m, h or d, e.g. 30m, 6h, 1d")
    # a number longer than the bound's digits is over it (and int() refuses thousands of digits)
    if any(len(number.lstrip("0")) > len(str(_MAX_SECONDS)) for number, _ in parts):
        raise ConfigError(f"bad duration {text!r}: at most {MAX_DURATION_DAYS} days")
    seconds = sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ConfigError(f"bad duration {text!r}: it must be longer than zero")
    if seconds > _MAX_SECONDS:
        raise ConfigError(f"bad duration {text!r}: at most {MAX_DURATION_DAYS} days")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """Write a timedelta back in the `1h30m` form that `parse_duration` reads."""
    remaining = int(delta.total_seconds())
    parts = []
    for unit, size in sorted(_UNIT_SECONDS.items(), key=lambda item: -item[1]):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def load_timezone(name: str) -> ZoneInfo:
    """Return the IANA time zone `name` (e.g. Europe/Paris) or raise a one-line ConfigError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r}: use an IANA name such as Europe/Paris or UTC") from None


def check_cron(expression: str) -> None:
    """Accept a standard five-field cron expression or an @alias (@hourly, @daily ...) that fires at all (`0 0 31 2 *`
    never does); else ConfigError."""
    fields = expression.split()
    is_alias = len(fields) == 1 and fields[0].startswith("@")
    if not (is_alias or len(fields) == 5) or not croniter.is_valid(expression):
        raise ConfigError(
            f"bad cron expression {expression!r}: use five fields 'minute hour day month weekday', e.g. '0 6 * * *'"
        )
    try:
        croniter(expression, datetime.now(UTC)).get_next(datetime)
    except CroniterBadDateError:
        raise ConfigError(f"bad cron expression {expression!r}: it never fires (no such date)") from None


def next_cron_time(expression: str, zone: ZoneInfo, after: datetime) -> datetime:
    """First slot of `expression` strictly after `after`, read as wall-clock time in `zone`; returned in UTC.

    When clocks go back, a job pinned to certain hours runs once, not in both copies of the repeated hour.
    """
    slots = croniter(expression, after.astimezone(zone))
    pinned_hours = croniter(expression).expanded[1] != ["*"]
    while True:
        slot = slots.get_next(datetime)
        if not (pinned_hours and _is_second_copy_of_repeated_hour(slot)):
            return slot.astimezone(UTC)


def _is_second_copy_of_repeated_hour(moment: datetime) -> bool:
    """True for a wall-clock time that happens twice (clocks went back) and this is its later occurrence."""
    return moment.fold == 1 and moment.replace(fold=0).utcoffset() != moment.utcoffset()


def next_interval_time(slot: datetime, every: timedelta, now: datetime) -> datetime:
    """The first slot `slot + k * every` later than `now`: slots missed while nobody ran collapse into one."""
    missed = max(0, (now - slot) // every)
    return slot + (missed + 1) * every

"""Business time: weekends in a zone (or anywhere on Earth) and holidays, exact to the second."""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from charter.policy.durations import Duration

AOE = "anywhere-on-earth"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Anywhere on Earth a local day starts at UTC+14 and ends at UTC-12.
_EARLIEST = timedelta(hours=14)
_LATEST = timedelta(hours=12)
#: The instants Charter computes with: Python's datetime range, 0001-01-01 to 9999-12-31 UTC.
FIRST = datetime.min.replace(tzinfo=UTC)
LAST = datetime.max.replace(tzinfo=UTC)


class BeyondCalendar(ValueError):
    """A deadline would fall after 9999-12-31, the last day Charter's calendar has."""

    def __init__(self, start: datetime, what: str) -> None:
        super().__init__(f"{what} from {iso(start)} would end after {iso(LAST)}, the last "
                         "instant Charter's calendar computes")


def _clamped(compute: Callable[[], datetime], late: bool) -> datetime:
    """COMPUTE's instant, or the calendar's first or last instant where it overflows."""
    try:
        return compute()
    except OverflowError:
        return LAST if late else FIRST


@lru_cache(maxsize=256)
def _country_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays  # deferred: only calendars that name a country pay for the import

    table = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(table.keys())


@dataclass(frozen=True)
class BusinessCalendar:
    """Which instants count as business time; everything else is weekend or holiday."""

    weekend: frozenset[int] = frozenset({5, 6})  # 0 = Monday
    zone: str = "UTC"
    holidays: frozenset[date] = frozenset()
    countries: tuple[tuple[str, str | None], ...] = ()
    _tz: ZoneInfo | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.zone != AOE:
            object.__setattr__(self, "_tz", ZoneInfo(self.zone))

    def is_excluded_day(self, day: date) -> bool:
        """True when DAY is a weekend day or a holiday of this calendar."""
        if day.weekday() in self.weekend or day in self.holidays:
            return True
        return any(day in _country_holidays(c, s, day.year) for c, s in self.countries)

    def day_interval(self, day: date) -> tuple[datetime, datetime]:
        """The UTC instants during which local DAY is under way (anywhere, for AoE); at the
        ends of the calendar, cut to its first and last instants."""
        tz = self._tz
        if tz is None:
            midnight = datetime.combine(day, time(), UTC)
            return (_clamped(lambda: midnight - _EARLIEST, late=False),
                    _clamped(lambda: midnight + timedelta(days=1) + _LATEST, late=True))
        start = _clamped(lambda: datetime.combine(day, time(), tz).astimezone(UTC), late=False)
        end = _clamped(lambda: datetime.combine(day + timedelta(days=1), time(), tz)
                       .astimezone(UTC), late=True)
        return start, end

    def _local_date(self, instant: datetime) -> date:
        """The earliest local date under way at INSTANT (anywhere, for AoE)."""
        tz = self._tz
        if tz is None:
            return _clamped(lambda: instant.astimezone(UTC) - _LATEST, late=False).date()
        return _clamped(lambda: instant.astimezone(tz), late=instant.year > 1).date()

    def excluded(self, after: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Merged excluded intervals, in order, that end after AFTER (possibly endless)."""
        local = self._local_date(after)
        first = local - timedelta(days=2) if local > date.min + timedelta(days=2) else date.min
        if not self.weekend and not self.countries:
            days: Iterator[date] = iter(sorted(d for d in self.holidays if d >= first))
        else:
            days = _days_from(first)
        current: tuple[datetime, datetime] | None = None
        for day in days:
            if not self.is_excluded_day(day):
                continue
            start, end = self.day_interval(day)
            if current is not None and start <= current[1]:
                current = (current[0], max(current[1], end))
                continue
            if current is not None and current[1] > after:
                yield current
            current = (start, end)
        if current is not None and current[1] > after:
            yield current

    def is_business(self, instant: datetime) -> bool:
        """True when INSTANT is business time (weekend and holiday intervals are half-open)."""
        for start, end in self.excluded(instant):
            return not (start <= instant < end)
        return True

    def add(self, start: datetime, seconds: int) -> datetime:
        """The earliest instant by which SECONDS of business time have passed since START.

        Raises BeyondCalendar when that instant would be after 9999-12-31.
        """
        if seconds < 0:
            raise ValueError("business time cannot be negative")
        # Arithmetic on a zoned datetime follows its wall clock (a DST jump would be lost).
        start = start.astimezone(UTC)
        cur, remaining = start, timedelta(seconds=seconds)
        if not remaining:
            return start
        for ex_start, ex_end in self.excluded(start):
            if ex_start > cur:
                gap = ex_start - cur
                if remaining <= gap:
                    return cur + remaining
                remaining -= gap
            cur = max(cur, ex_end)
            if cur >= LAST:
                break
        if LAST - cur < remaining:
            raise BeyondCalendar(start, f"{seconds:,} business seconds")
        return cur + remaining

    def business_seconds(self, start: datetime, end: datetime) -> int:
        """Business seconds between START and END (zero when END is not after START)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return 0
        total = end - start
        for ex_start, ex_end in self.excluded(start):
            if ex_start >= end:
                break
            overlap = min(end, ex_end) - max(start, ex_start)
            if overlap > timedelta(0):
                total -= overlap
        return int(total.total_seconds())

    def after(self, start: datetime, duration: Duration) -> datetime:
        """START plus DURATION: business time skips exclusions, months are calendar months.

        Raises BeyondCalendar when the result would be after 9999-12-31.
        """
        if duration.unit == "months":
            return add_months(start, duration.amount)
        if duration.business:
            try:
                return self.add(start, duration.seconds)
            except BeyondCalendar:
                raise BeyondCalendar(start, str(duration)) from None
        start = start.astimezone(UTC)
        if LAST - start < timedelta(seconds=duration.seconds):
            raise BeyondCalendar(start, str(duration))
        return start + timedelta(seconds=duration.seconds)


def _days_from(day: date) -> Iterator[date]:
    one = timedelta(days=1)
    while True:
        yield day
        if day == date.max:
            return
        day += one


def add_months(start: datetime, months: int) -> datetime:
    """The same day of the month MONTHS later (or that month's last day), at the same UTC time.

    Raises BeyondCalendar (a ValueError) when that would be after 9999-12-31.
    """
    utc = start.astimezone(UTC)
    index = utc.month - 1 + months
    year, month = utc.year + index // 12, index % 12 + 1
    if year > LAST.year:
        raise BeyondCalendar(utc, f"{months} month(s)")
    day = min(utc.day, _stdcal.monthrange(year, month)[1])
    return utc.replace(year=year, month=month, day=day)


def iso(value: datetime | None) -> str | None:
    """UTC, second precision, with Z: the one way Charter prints an instant."""
    if value is None:
        return None
    # isoformat, not strftime: %Y does not pad years before 1000 on every platform.
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"

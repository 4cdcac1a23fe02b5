"""Business time: weekends in a zone, anywhere on Earth, holidays, calendar months."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from charter.engine.calendar import BusinessCalendar, add_months
from charter.policy.durations import Duration, parse_duration


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


UTC_CAL = BusinessCalendar()
AOE = BusinessCalendar(zone="anywhere-on-earth")
NY = BusinessCalendar(zone="America/New_York")
XMAS = BusinessCalendar(holidays=frozenset({date(2026, 12, 25)}))


@pytest.mark.parametrize(
    ("cal", "start", "hours", "end"),
    [
        (UTC_CAL, "2026-03-02T09:00:00Z", 48, "2026-03-04T09:00:00Z"),
        (UTC_CAL, "2026-03-05T09:00:00Z", 48, "2026-03-09T09:00:00Z"),
        (UTC_CAL, "2026-03-06T09:00:00Z", 48, "2026-03-10T09:00:00Z"),
        (UTC_CAL, "2026-03-07T09:00:00Z", 48, "2026-03-11T00:00:00Z"),
        (UTC_CAL, "2026-03-05T00:00:00Z", 48, "2026-03-07T00:00:00Z"),
        (AOE, "2026-03-06T09:00:00Z", 48, "2026-03-11T11:00:00Z"),
        (AOE, "2026-03-04T09:00:00Z", 48, "2026-03-06T09:00:00Z"),
        (NY, "2026-03-06T15:00:00Z", 48, "2026-03-10T14:00:00Z"),
        (XMAS, "2026-12-24T09:00:00Z", 24, "2026-12-28T09:00:00Z"),
    ],
    ids=["mon", "thu-over-weekend", "fri", "sat-start", "thu-midnight-lands-at-weekend-start",
         "aoe-friday", "aoe-wednesday", "new-york-dst-change", "christmas"],
)
def test_add_business_hours(cal: BusinessCalendar, start: str, hours: int, end: str) -> None:
    assert cal.add(t(start), hours * 3600) == t(end)
    assert cal.business_seconds(t(start), t(end)) == hours * 3600


def test_aoe_weekend_spans_utc_plus_14_to_utc_minus_12() -> None:
    first = next(AOE.excluded(t("2026-03-03T00:00:00Z")))
    assert first == (t("2026-03-06T10:00:00Z"), t("2026-03-09T12:00:00Z"))
    assert not AOE.is_business(t("2026-03-06T10:00:00Z"))
    assert AOE.is_business(t("2026-03-06T09:59:59Z"))
    assert AOE.is_business(t("2026-03-09T12:00:00Z"))


def test_country_holidays() -> None:
    cal = BusinessCalendar(countries=(("US", None),))
    assert cal.is_excluded_day(date(2026, 7, 3))  # Independence Day observed (a Friday)
    assert cal.add(t("2026-07-02T09:00:00Z"), 24 * 3600) == t("2026-07-06T09:00:00Z")


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [("2026-01-31T10:00:00Z", 1, "2026-02-28T10:00:00Z"),
     ("2026-03-15T10:00:00Z", 3, "2026-06-15T10:00:00Z"),
     ("2026-11-30T10:00:00Z", 3, "2027-02-28T10:00:00Z"),
     ("2027-11-30T10:00:00Z", 3, "2028-02-29T10:00:00Z")],
    ids=["jan31-feb28", "same-day", "year-wrap", "leap-year"],
)
def test_calendar_months(start: str, months: int, end: str) -> None:
    assert add_months(t(start), months) == t(end)


@pytest.mark.parametrize(
    ("text", "duration"),
    [("48 business hours", Duration(48, "hours", True)), ("7 days", Duration(7, "days")),
     ("3 months", Duration(3, "months")), ("2 weeks", Duration(2, "weeks")),
     ("one week", Duration(1, "weeks")), ("2 business days", Duration(2, "days", True))],
)
def test_parse_duration(text: str, duration: Duration) -> None:
    assert parse_duration(text) == duration


@pytest.mark.parametrize("text", ["48", "forty hours", "3 business months", "0 days",
                                  "7 fortnights", 7])
def test_parse_duration_rejects(text: object) -> None:
    with pytest.raises(ValueError, match=r"expected|business|positive|unit"):
        parse_duration(text)


def test_zoned_starts_add_elapsed_time_across_a_dst_jump() -> None:
    from zoneinfo import ZoneInfo

    start = datetime(2026, 3, 8, 1, 59, tzinfo=ZoneInfo("America/New_York"))  # 06:59Z
    no_weekends = BusinessCalendar(weekend=frozenset())
    assert no_weekends.add(start, 3660) == t("2026-03-08T08:00:00Z")
    assert no_weekends.business_seconds(start, t("2026-03-08T08:00:00Z")) == 3660

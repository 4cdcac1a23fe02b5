"""Calendar arithmetic at the ends of time: a deadline past 9999-12-31 is a clear refusal.

Python's datetimes run from 0001-01-01 to 9999-12-31; every calendar Charter accepts, with every
duration it accepts, starting anywhere in that range, either gives a deadline or raises
BeyondCalendar, never OverflowError.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from charter.engine.calendar import LAST, BeyondCalendar, BusinessCalendar, add_months, iso
from charter.engine.machine import Engine
from charter.engine.state import Command
from charter.policy.durations import MAX_AMOUNT, Duration
from charter.policy.loader import load_policy

POLICY = load_policy("llama-stack").policy
ZONES = ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "America/New_York", "anywhere-on-earth"]


def calendar(zone: str, weekend: frozenset[int] = frozenset({5, 6}),
             holidays: frozenset[date] = frozenset()) -> BusinessCalendar:
    return BusinessCalendar(weekend=weekend, zone=zone, holidays=holidays)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("start", "duration", "fits"),
    [
        ("9999-12-31T23:59:58Z", Duration(1, "seconds"), True),
        ("9999-12-31T23:59:59Z", Duration(1, "seconds"), False),
        ("9999-12-30T00:00:00Z", Duration(48, "hours"), False),
        ("9999-12-20T00:00:00Z", Duration(2, "weeks"), False),
        ("9999-10-31T00:00:00Z", Duration(3, "months"), False),
        ("9999-09-30T00:00:00Z", Duration(3, "months"), True),
        ("9990-01-01T00:00:00Z", Duration(MAX_AMOUNT["days"], "days"), False),
        ("0001-01-01T00:00:00Z", Duration(48, "hours"), True),
        ("0001-01-01T00:00:00Z", Duration(MAX_AMOUNT["months"], "months"), True),
    ],
    ids=["last-second", "past-last-second", "48h-at-end", "2w-at-end", "3mo-at-end",
         "3mo-just-fits", "10y-near-end", "48h-at-start", "10y-at-start"],
)
def test_calendar_time_at_the_ends(zone: str, start: str, duration: Duration,
                                   fits: bool) -> None:
    begin = datetime.fromisoformat(start)
    cal = calendar(zone)
    if fits:
        assert cal.after(begin, duration) > begin
    else:
        with pytest.raises(BeyondCalendar, match="after 9999-12-31T23:59:59Z"):
            cal.after(begin, duration)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("start", "hours", "fits"),
    [
        ("9999-12-24T00:00:00Z", 24, True),
        ("9999-12-29T00:00:00Z", 96, False),
        ("9999-12-30T12:00:00Z", 48, False),
        ("0001-01-01T00:00:00Z", 48, True),
        ("0001-01-01T00:00:00Z", MAX_AMOUNT["hours"], True),
    ],
    ids=["fits-before-end", "past-end", "last-days", "first-day", "ten-years-from-start"],
)
def test_business_time_at_the_ends(zone: str, start: str, hours: int, fits: bool) -> None:
    begin = datetime.fromisoformat(start)
    cal = calendar(zone, weekend=frozenset({2}))  # Wednesdays off: 9999-12-29 is one
    if fits:
        end = cal.add(begin, hours * 3600)
        assert end > begin and cal.business_seconds(begin, end) == hours * 3600
    else:
        with pytest.raises(BeyondCalendar):
            cal.add(begin, hours * 3600)


def test_add_months_past_the_last_year_is_beyond_the_calendar() -> None:
    with pytest.raises(BeyondCalendar):
        add_months(datetime(9999, 12, 1, tzinfo=UTC), 1)
    with pytest.raises(ValueError):  # what callers that knew only ValueError still catch
        add_months(datetime(9999, 12, 1, tzinfo=UTC), 1)


def test_iso_pads_every_year() -> None:
    assert iso(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00Z"
    assert iso(LAST) == "9999-12-31T23:59:59Z"


weekends = st.frozensets(st.integers(0, 6), max_size=6)
instants = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59),
                        timezones=st.just(UTC))
durations = st.one_of(
    st.builds(Duration, st.integers(1, MAX_AMOUNT["hours"]), st.just("hours"), st.booleans()),
    st.builds(Duration, st.integers(1, MAX_AMOUNT["days"]), st.just("days"), st.booleans()),
    st.builds(Duration, st.integers(1, MAX_AMOUNT["months"]), st.just("months")),
    st.builds(Duration, st.integers(1, 120), st.just("seconds"), st.booleans()),
)
near_ends = st.one_of(
    instants,
    st.integers(0, 400 * 24).map(lambda h: LAST - timedelta(hours=h)),
    st.integers(0, 400 * 24).map(lambda h: datetime(1, 1, 1, tzinfo=UTC) + timedelta(hours=h)),
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ZONES), weekends, near_ends, durations)
def test_every_deadline_is_an_instant_or_beyond_the_calendar(
        zone: str, weekend: frozenset[int], start: datetime, duration: Duration) -> None:
    # The calendars a policy may state (anywhere on Earth, two weekdays in a row are needed).
    assume(zone != "anywhere-on-earth" or any(
        d not in weekend and (d + 1) % 7 not in weekend for d in range(7)))
    if duration.business and duration.amount > 30 * 24 and duration.unit == "hours":
        duration = Duration(30 * 24, "hours", True)  # keep each example quick
    cal = calendar(zone, weekend)
    try:
        end = cal.after(start, duration)
    except BeyondCalendar as err:
        assert "9999-12-31" in str(err)
    else:
        assert start <= end <= LAST


@pytest.mark.parametrize(
    ("at", "verb", "fields", "rejected"),
    [
        ("9999-12-31T00:00:00Z", "propose", {"process": "lazy-consensus"}, True),
        ("9999-12-28T00:00:00Z", "propose", {"process": "governance-change"}, True),
        ("9999-12-01T00:00:00Z", "propose", {"process": "governance-change"}, False),
        ("9999-12-31T00:00:00Z", "nominate", {"person": "dave", "role": "triager"}, True),
        ("0001-01-01T00:00:00Z", "propose", {"process": "lazy-consensus"}, False),
    ],
    ids=["lazy-at-end", "7-days-at-end", "7-days-fits", "vote-at-end", "first-day"],
)
def test_a_deadline_past_the_calendar_rejects_the_command(at: str, verb: str,
                                                         fields: dict[str, str],
                                                         rejected: bool) -> None:
    """Files keep times to 1900-2999; a program driving the engine directly may not."""
    engine = Engine(POLICY, {"alice": ["maintainer"], "bob": ["maintainer"]})
    rejection = engine.apply(Command(0, datetime.fromisoformat(at), "alice", verb,
                                     {"id": "D1", **fields}))
    if rejected:
        assert rejection is not None and "after 9999-12-31T23:59:59Z" in rejection.reason
        assert engine.decisions == {}
    else:
        assert rejection is None and engine.decisions["D1"].closes_at is not None

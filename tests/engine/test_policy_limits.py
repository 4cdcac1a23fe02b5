"""What `policy check` accepts, the engine can run: durations, calendars, thresholds, quorums.

Each case is a policy written onto the llama-stack preset; a refused one must name the field and
say why, and an accepted one must run through the engine without an exception.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import pytest

from charter.engine.machine import calendar_for
from charter.engine.tally import Ballot, BallotBox, tally
from charter.errors import CharterError
from charter.policy.durations import MAX_AMOUNT, parse_duration
from charter.policy.loader import load_policy
from charter.policy.schema import (
    Threshold,
    compared_percents,
    format_percent,
    share_text,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALL_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def policy(**over: Any) -> Any:
    return load_policy({"extends": "llama-stack", **over}, file="p.yaml")


def vote(pass_: dict[str, Any] | None = None, quorum: Any = "keep") -> dict[str, Any]:
    body: dict[str, Any] = {}
    if pass_ is not None:
        body["pass"] = {"at_least": None, **pass_}
    if quorum != "keep":
        body["quorum"] = quorum
    return {"processes": {"governance-vote": body}}


# --- durations ---------------------------------------------------------------------------

@pytest.mark.parametrize("unit", list(MAX_AMOUNT))
@pytest.mark.parametrize("business", [False, True])
def test_every_unit_stops_at_ten_years(unit: str, business: bool) -> None:
    if business and unit in ("weeks", "months"):
        pytest.skip("business time is counted in hours or days")
    words = f"{'business ' if business else ''}{unit}"
    limit = MAX_AMOUNT[unit]
    assert parse_duration(f"{limit} {words}").amount == limit
    with pytest.raises(ValueError, match=f"longer than 10 years.*at most {limit:,} {words}"):
        parse_duration(f"{limit + 1} {words}")


@pytest.mark.parametrize("text", ["999999999 days", "999999 months", "99999999 business hours",
                                  "1" + "0" * 5000 + " seconds"])
def test_huge_durations_name_the_field(text: str) -> None:
    with pytest.raises(CharterError) as err:
        policy(processes={"lazy-consensus": {"window": text}})
    assert err.value.field == "processes.lazy-consensus.window"
    assert "longer than 10 years" in err.value.message
    assert len(err.value.message) < 200  # a huge input is quoted only in part


@pytest.mark.parametrize("field", ["window", "min_open"])
def test_the_longest_duration_runs(field: str) -> None:
    """At the limit, on the sparsest calendar accepted, a deadline is still computed."""
    sparse = {"weekend": ALL_DAYS[:6], "weekend_zone": "Pacific/Kiritimati"}
    name = "lazy-consensus" if field == "window" else "governance-vote"
    loaded = policy(calendar=sparse,
                    processes={name: {field: f"{MAX_AMOUNT['days']} business days"}}).policy
    proc = loaded.processes[name]
    end = calendar_for(loaded).after(T0, getattr(proc, field))
    assert end.year > 2026 + 10


# --- calendars ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("calendar", "field", "words"),
    [
        ({"weekend": ALL_DAYS}, "calendar.weekend", "all seven days"),
        ({"weekend": [*ALL_DAYS, "monday"]}, "calendar.weekend", "all seven days"),
        ({"weekend": ["monday", "wednesday", "friday", "sunday"],
          "weekend_zone": "anywhere-on-earth"}, "calendar", "two weekdays in a row"),
        ({"weekend": ["tuesday", "thursday", "saturday", "sunday"],
          "weekend_zone": "anywhere-on-earth"}, "calendar", "two weekdays in a row"),
        ({"holiday_calendars": [{"country": "XX"}]}, "calendar.holiday_calendars.0",
         "unknown country 'XX'"),
        ({"holiday_calendars": [{"country": "US", "subdivision": "ZZ"}]},
         "calendar.holiday_calendars.0", "US has no subdivision 'ZZ'"),
    ],
    ids=["seven-days", "seven-days-repeated", "aoe-alternate-days", "aoe-no-pair",
         "unknown-country", "unknown-subdivision"],
)
def test_calendars_without_business_time_are_refused(calendar: dict[str, Any], field: str,
                                                     words: str) -> None:
    with pytest.raises(CharterError) as err:
        policy(calendar=calendar)
    assert err.value.field == field and words in err.value.message


@pytest.mark.parametrize(
    "calendar",
    [
        {"weekend": ALL_DAYS[:6]},
        {"weekend": []},
        {"weekend": ["tuesday", "thursday", "friday", "saturday"],
         "weekend_zone": "anywhere-on-earth"},
        {"weekend": ["saturday", "sunday"], "holiday_calendars": [{"country": "US",
                                                                    "subdivision": "CA"}]},
    ],
    ids=["six-days", "no-weekend", "aoe-one-pair", "us-ca"],
)
def test_calendars_with_business_time_run(calendar: dict[str, Any]) -> None:
    loaded = policy(calendar=calendar).policy
    end = calendar_for(loaded).after(T0, parse_duration("48 business hours"))
    assert end > T0


# --- thresholds and quorums --------------------------------------------------------------

@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        (vote({"at_least": "0%"}), "pass.at_least", "passes every vote"),
        (vote({"at_least": "0/3"}), "pass.at_least", "passes every vote"),
        (vote({"at_least": "0%", "of": "eligible"}), "pass.at_least", "passes every vote"),
        (vote({"more_than": "100%"}), "pass.more_than", "can never be reached"),
        (vote({"more_than": "3/3", "of": "ballots"}), "pass.more_than", "can never be reached"),
        (vote(quorum={"at_least": "0%"}), "quorum.at_least", "met even when nobody votes"),
        (vote({"at_least": "101%"}), "pass.at_least", "between 0% and 100%"),
    ],
    ids=["at-least-0", "at-least-0-ratio", "at-least-0-eligible", "more-than-100",
         "more-than-all-ballots", "quorum-0", "over-100"],
)
def test_bounds_no_tally_can_fail_or_meet_are_refused(over: dict[str, Any], field: str,
                                                      words: str) -> None:
    with pytest.raises(CharterError) as err:
        policy(**over)
    assert err.value.field == f"processes.governance-vote.{field}"
    assert words in err.value.message


def ballots(yes: int, no: int, abstain: int = 0) -> BallotBox:
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    box = BallotBox(tuple(f"v{i}" for i in range(len(choices))))
    for i, choice in enumerate(choices):
        box.cast(f"v{i}", Ballot(choice, T0))  # type: ignore[arg-type]
    return box


TALLIES = [(yes, no) for yes in range(4) for no in range(4) if yes + no]


@pytest.mark.parametrize(
    "bound",
    [{"more_than": "0%"}, {"at_least": "1%"}, {"at_least": "100%"}, {"more_than": "99%"},
     {"more_than": "2/3"}, {"at_least": "1/1000"}],
    ids=["more-than-0", "at-least-1", "unanimous", "more-than-99", "more-than-2/3",
         "at-least-tiny"],
)
def test_accepted_bounds_can_both_pass_and_fail(bound: dict[str, str]) -> None:
    threshold = Threshold.model_validate({**bound, "of": "cast"})
    outcomes = {tally(ballots(yes, no), threshold, None, False).passed for yes, no in TALLIES}
    assert outcomes == {True, False}


# --- shares as printed -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("share", "written", "shown"),
    [
        (Fraction(3, 5), "60%", "60%"),
        (Fraction(133, 200), "66.5%", "66.5%"),
        (Fraction(6667, 10000), "66.67%", "66.67%"),
        (Fraction(2, 3), "2/3", "2/3 (66.67%)"),
        (Fraction(1, 3), "1/3", "1/3 (33.33%)"),
        (Fraction(1, 8), "12.5%", "12.5%"),
        (Fraction(1), "100%", "100%"),
    ],
)
def test_shares_are_written_exactly(share: Fraction, written: str, shown: str) -> None:
    assert share_text(share) == written and format_percent(share) == shown
    assert Threshold.model_validate({"at_least": written}).share == share  # reads back


BOUNDS = ["66.67%", "2/3", "60%", "50%", "1/3", "33.33%", "99.99%", "12.345%"]


@pytest.mark.parametrize("written", BOUNDS)
@pytest.mark.parametrize("kind", ["at_least", "more_than"])
def test_shown_share_and_bound_compare_as_the_verdict(written: str, kind: str) -> None:
    """Whatever the tally, the two printed percentages compare the way the verdict went."""
    threshold = Threshold.model_validate({kind: written, "of": "cast"})
    for yes in range(0, 13):
        for no in range(0, 13):
            if not yes + no:
                continue
            result = tally(ballots(yes, no), threshold, None, False)
            reason = result.reasons[-1]
            shown, bound = compared_percents(Fraction(yes, yes + no), threshold.share)
            assert f"({shown}); needed {kind.replace('_', ' ')} {bound} of" in reason
            value = Fraction(shown.rstrip("%"))
            printed_bound = Fraction(bound.split(" (")[-1].rstrip("%)")) if "(" in bound \
                else Fraction(bound.rstrip("%"))
            assert (value >= printed_bound if kind == "at_least" else
                    value > printed_bound) == result.passed, reason


def test_two_of_three_against_66_67_percent_reads_as_it_is_counted() -> None:
    threshold = Threshold.model_validate({"at_least": "66.67%"})
    result = tally(ballots(2, 1), threshold, None, False)
    assert not result.passed
    assert "2 yes of 3 (66.667%); needed at least 66.67% of" in result.reasons[-1]

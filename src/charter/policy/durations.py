"""Durations written as people say them: `48 business hours`, `7 days`, `3 months`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from charter.errors import excerpt

Unit = Literal["seconds", "minutes", "hours", "days", "weeks", "months"]

_UNITS: dict[str, Unit] = {
    "s": "seconds", "sec": "seconds", "secs": "seconds", "second": "seconds", "seconds": "seconds",
    "min": "minutes", "mins": "minutes", "minute": "minutes", "minutes": "minutes",
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months",
}
_SECONDS: dict[str, int] = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400,
                            "weeks": 7 * 86400}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14}
_PATTERN = re.compile(r"^\s*(?P<n>\d+|[a-z]+)\s+(?P<business>business\s+)?(?P<unit>[a-z]+)\s*$",
                      re.IGNORECASE)
#: The longest duration Charter computes with: ten years, in each unit. Deadlines stay far from
#: the end of the calendar (9999-12-31) and business-time arithmetic stays quick, while no charter
#: needs a longer window, vote, incubation timeframe or deprecation period.
MAX_YEARS = 10
MAX_AMOUNT: dict[str, int] = {"seconds": 3653 * 86400, "minutes": 3653 * 1440,
                              "hours": 3653 * 24, "days": 3653, "weeks": 521, "months": 120}


@dataclass(frozen=True, slots=True)
class Duration:
    """An amount of time; business durations skip the calendar's weekends and holidays."""

    amount: int
    unit: Unit
    business: bool = False

    @property
    def seconds(self) -> int:
        """Length in seconds (business seconds when `business`); months have no fixed length."""
        if self.unit == "months":
            raise ValueError("a month has no fixed length in seconds")
        return self.amount * _SECONDS[self.unit]

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {'business ' if self.business else ''}{unit}"


def parse_duration(text: object) -> Duration:
    """Parse `48 business hours`, `7 days`, `3 months`; raise ValueError saying what is expected."""
    expected = ("expected a duration such as '48 business hours', '7 days', '2 weeks' or "
                "'3 months'")
    if not isinstance(text, str):
        raise ValueError(f"{expected}, got {_excerpt(text)}")
    match = _PATTERN.match(text)
    if not match:
        raise ValueError(f"{expected}, got {_excerpt(text)}")
    raw_n = match["n"].lower()
    if raw_n.isdigit():
        # Past 12 digits the number is over every limit anyway; int() of a huge string is slow.
        amount = int(raw_n) if len(raw_n.lstrip("0")) <= 12 else 10 ** 12
    elif raw_n in _WORDS:
        amount = _WORDS[raw_n]
    else:
        raise ValueError(f"{expected}, got {_excerpt(text)}")
    unit = _UNITS.get(match["unit"].lower())
    if unit is None:
        raise ValueError(f"unknown unit {match['unit']!r} in {_excerpt(text)}; {expected}")
    business = match["business"] is not None
    if business and unit in ("weeks", "months"):
        raise ValueError(f"{_excerpt(text)}: business time is counted in hours or days, not "
                         f"{unit}; write e.g. '10 business days'")
    if amount <= 0:
        raise ValueError(f"{_excerpt(text)}: a duration must be positive")
    if amount > MAX_AMOUNT[unit]:
        raise ValueError(f"{_excerpt(text)} is longer than {MAX_YEARS} years, the longest duration "
                         f"Charter computes with (at most {MAX_AMOUNT[unit]:,} "
                         f"{'business ' if business else ''}{unit})")
    return Duration(amount, unit, business)


def _excerpt(value: object) -> str:
    """VALUE as written, cut short: an input is quoted only in a short excerpt."""
    return excerpt(value, 40)

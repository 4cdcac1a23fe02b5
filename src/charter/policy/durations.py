"""Durations written as people say them: `48 business hours`, `7 days`, `3 months`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

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
        raise ValueError(f"{expected}, got {text!r}")
    match = _PATTERN.match(text)
    if not match:
        raise ValueError(f"{expected}, got {text!r}")
    raw_n = match["n"].lower()
    if raw_n.isdigit():
        amount = int(raw_n)
    elif raw_n in _WORDS:
        amount = _WORDS[raw_n]
    else:
        raise ValueError(f"{expected}, got {text!r}")
    unit = _UNITS.get(match["unit"].lower())
    if unit is None:
        raise ValueError(f"unknown unit {match['unit']!r} in {text!r}; {expected}")
    business = match["business"] is not None
    if business and unit in ("weeks", "months"):
        raise ValueError(f"{text!r}: business time is counted in hours or days, not {unit}; "
                         "write e.g. '10 business days'")
    if amount <= 0:
        raise ValueError(f"{text!r}: a duration must be positive")
    return Duration(amount, unit, business)

"""Scenario files: a governance history written down, read quickly and checked before replay."""

from charter.scenario.fields import COUNTER, VERBS
from charter.scenario.load import (
    Scenario,
    load_scenario,
    parse_command,
    parse_scenario,
    stored_command,
)

__all__ = ["COUNTER", "VERBS", "Scenario", "load_scenario", "parse_command", "parse_scenario",
           "stored_command"]

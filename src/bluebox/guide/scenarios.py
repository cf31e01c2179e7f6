"""Scenario files: questions and the answers the rules must give, kept as data.

A scenario file (``scenarios/*.yaml``) names the rule documents it tests, the sites it speaks
of and the scenarios; :func:`run` answers each one with the version in force on its date and
returns what differs from the expectation (nothing, when the rules behave as written).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import yaml

from bluebox.engines.guide import Answer, RuleSet, Situation, answer, parse


@dataclass(frozen=True)
class Scenario:
    name: str
    on: date
    site: str
    action: str
    facts: dict[str, Any]
    expect: dict[str, Any]


@dataclass(frozen=True)
class Suite:
    rules: tuple[RuleSet, ...]
    sites: dict[str, dict[str, Any]]
    scenarios: tuple[Scenario, ...]


def _read(name: str) -> Any:
    return yaml.safe_load(resources.files("bluebox.guide").joinpath(name).read_text("utf-8"))


def _name(s: dict[str, Any]) -> str:
    facts = ", ".join(f"{k}={v}" for k, v in (s.get("facts") or {}).items())
    return (
        f"{s['date']} {s['site']} {s['action']}"
        + (f" [{facts}]" if facts else "")
        + (f" -> {s['expect']}")
    )


def _word(value: Any) -> Any:
    # YAML 1.1 reads an unquoted yes/no as a boolean: the file says words, so words they are.
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


def load(name: str = "scenarios/minuvar.yaml") -> Suite:
    data = _read(name)
    for s in data["scenarios"]:
        s["expect"] = _word(s["expect"])
    rules = tuple(parse(_read(f"rulesets/{f}")) for f in data["rules"])
    scenarios = tuple(
        Scenario(
            name=_name(s),
            on=s["date"] if isinstance(s["date"], date) else date.fromisoformat(s["date"]),
            site=s["site"],
            action=s["action"],
            facts=dict(s.get("facts") or {}),
            expect={k: v for k, v in s.items() if k not in ("date", "site", "action", "facts")},
        )
        for s in data["scenarios"]
    )
    return Suite(rules=rules, sites=data["sites"], scenarios=scenarios)


def situation(suite: Suite, scenario: Scenario) -> Situation:
    site = suite.sites[scenario.site]
    facts = {
        "site_kind": site["kind"],
        "national_police_present": site["national_police_present"],
        "national_police_operational": site["national_police_operational"],
        **scenario.facts,
    }
    return Situation(action=scenario.action, on=scenario.on, **facts)


def in_force(suite: Suite, on: date) -> RuleSet | None:
    found = [r for r in suite.rules if r.in_force(on)]
    if len(found) > 1:
        raise ValueError(f"versions {[r.version for r in found]} overlap on {on}")
    return found[0] if found else None


def check(suite: Suite, scenario: Scenario) -> tuple[Answer | None, list[str]]:
    """The answer to ``scenario`` and every way it differs from the expectation."""
    rules = in_force(suite, scenario.on)
    want = scenario.expect
    if rules is None:
        return None, [] if want["expect"] == "none" else ["no version of the rules in force"]
    if want["expect"] == "none":
        return None, [f"version {rules.version} answers, but none should be in force"]
    got = answer(rules, situation(suite, scenario))
    problems = []
    if got.allowed != (want["expect"] == "yes"):
        problems.append(f"answer is {'yes' if got.allowed else 'no'}")
    if "rule" in want and (not got.rule_keys or got.rule_keys[0] != want["rule"]):
        problems.append(f"decided by {list(got.rule_keys)}, not {want['rule']!r}")
    if "version" in want and got.version != want["version"]:
        problems.append(f"answered by version {got.version}")
    cited = {f"{c.document} {c.paragraph}" for c in got.citations}
    for cite in want.get("cites", []):
        if cite not in cited:
            problems.append(f"does not cite {cite!r} (cites {sorted(cited)})")
    if "custody" in want:
        clock = (
            [got.custody.handover_target_hours, got.custody.hard_limit_hours]
            if got.custody
            else None
        )
        if clock != [float(h) for h in want["custody"]]:
            problems.append(f"custody clock {clock}")
    if bool(want.get("green_box", False)) != got.hand_to_military:
        problems.append(f"green box is {got.hand_to_military}")
    if not got.citations:
        problems.append("the answer cites nothing")
    return got, problems

"""May I act here, and how? The answer a rule set gives to one situation (pure).

The officer describes the situation (where, what they want to do, who is present, how armed the
threat is); :func:`answer` reads the rules of that action:

1. a **forbidding** rule whose facts all hold decides: no, with its reason and citations;
2. otherwise an **allowing** rule whose facts all hold decides: yes, with the conditions to
   keep, the steps to follow, the limits and the citations (the first such rule in the
   document is the authority; the others are listed as also applicable);
3. otherwise the answer is no, with what each allowing rule would have needed (the unmet facts)
   and its citations; an action no rule of the set allows is refused citing the set's basis.

A fact the officer did not give is *not established*: it never satisfies an allowing rule and
never triggers a forbidding one. Every answer carries at least one citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bluebox.engines.guide.rules import (
    LIST_FACTS,
    THREAT_LEVELS,
    Citation,
    Custody,
    Rule,
    RuleSet,
    text_in,
)

#: The situation's facts the officer answers yes or no (left out: not established, or for the
#: national police the site's own record); the API's and the command line's questions.
YES_NO_FACTS = (
    "imminent_threat",
    "national_police_present",
    "national_police_operational",
    "host_request",
    "hrddp_cleared",
    "commander_order",
)


@dataclass(frozen=True)
class Situation:
    """What the officer faces. ``None`` is a fact not given."""

    action: str
    on: date
    site_kind: str | None = None
    national_police_present: bool | None = None
    national_police_operational: bool | None = None
    host_request: bool | None = None
    threat: str | None = None  # one of THREAT_LEVELS
    imminent_threat: bool | None = None
    hrddp_cleared: bool | None = None
    commander_order: bool | None = None
    phase: str | None = None
    tier: str | None = None
    legal_basis: str | None = None  # only rules with this basis may allow (detention register)

    def fact(self, key: str) -> Any:
        if key == "national_police_able":
            present, operational = self.national_police_present, self.national_police_operational
            if present is False or operational is False:
                return False
            if present is None or operational is None:
                return None
            return True
        return getattr(self, key)

    def facts(self) -> dict[str, Any]:
        """The situation as a plain mapping (for audit details and overrides)."""
        out = {k: v for k, v in vars(self).items() if v is not None}
        out["on"] = self.on.isoformat()
        return out


@dataclass(frozen=True)
class Check:
    """One fact a rule tests: what it needs and what the situation says."""

    fact: str
    expected: Any
    actual: Any
    holds: bool


@dataclass(frozen=True)
class Applied:
    """A rule read against the situation, rendered in one language."""

    key: str
    effect: str
    title: str
    checks: tuple[Check, ...]
    conditions: tuple[str, ...]
    steps: tuple[str, ...]
    limits: tuple[str, ...]
    cite: tuple[Citation, ...]
    legal_basis: str | None
    custody: Custody | None
    hand_to_military: bool

    @property
    def holds(self) -> bool:
        return all(c.holds for c in self.checks)

    @property
    def unmet(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.holds)


@dataclass(frozen=True)
class Answer:
    """Yes or no, why, how, and where it is written."""

    allowed: bool
    action: str
    version: str
    decisive: tuple[Applied, ...]  # the rule(s) that decide: a forbidding one, the authority
    also: tuple[Applied, ...] = ()  # other allowing rules that hold
    near: tuple[Applied, ...] = ()  # allowing rules that do not hold (with their unmet facts)
    citations: tuple[Citation, ...] = ()
    custody: Custody | None = None
    hand_to_military: bool = False
    no_authority: bool = False  # no rule of this set allows the action at all
    situation: Situation | None = field(default=None, compare=False)

    @property
    def rule_keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.decisive)


def _check(key: str, expected: Any, situation: Situation) -> Check:
    if key in ("threat_at_least", "threat_at_most"):
        actual = situation.threat
        if actual is None:
            return Check(key, expected, None, False)
        rank, bound = THREAT_LEVELS.index(actual), THREAT_LEVELS.index(expected)
        holds = rank >= bound if key == "threat_at_least" else rank <= bound
        return Check(key, expected, actual, holds)
    actual = situation.fact(key)
    if key in LIST_FACTS:
        return Check(key, tuple(expected), actual, actual is not None and actual in expected)
    return Check(key, expected, actual, actual is not None and actual == expected)


def _apply(rule: Rule, situation: Situation, lang: str) -> Applied:
    checks = tuple(_check(k, v, situation) for k, v in rule.when.items())
    if situation.legal_basis is not None and rule.effect == "allow" and rule.legal_basis:
        checks += (
            Check(
                "legal_basis",
                rule.legal_basis,
                situation.legal_basis,
                rule.legal_basis == situation.legal_basis,
            ),
        )
    return Applied(
        key=rule.key,
        effect=rule.effect,
        title=text_in(rule.title, lang),
        checks=checks,
        conditions=tuple(text_in(t, lang) for t in rule.conditions),
        steps=tuple(text_in(t, lang) for t in rule.steps),
        limits=tuple(text_in(t, lang) for t in rule.limits),
        cite=rule.cite,
        legal_basis=rule.legal_basis,
        custody=rule.custody,
        hand_to_military=rule.hand_to_military,
    )


def _citations(applied: tuple[Applied, ...]) -> tuple[Citation, ...]:
    out: list[Citation] = []
    for a in applied:
        for c in a.cite:
            if c not in out:
                out.append(c)
    return tuple(out)


def answer(rules: RuleSet, situation: Situation, *, lang: str = "en") -> Answer:
    """The answer ``rules`` give to ``situation``, its texts in ``lang`` (English where missing).

    The caller picks the rule set in force on ``situation.on``; an answer from a set that is not
    in force on that date would be misleading, so it is refused with ``ValueError``.
    """
    if not rules.in_force(situation.on):
        raise ValueError(f"rule set {rules.version} is not in force on {situation.on}")
    applied = tuple(_apply(r, situation, lang) for r in rules.rules_for(situation.action))
    forbidding = tuple(a for a in applied if a.effect == "forbid" and a.holds)
    if forbidding:
        return Answer(
            allowed=False,
            action=situation.action,
            version=rules.version,
            decisive=forbidding,
            citations=_citations(forbidding),
            hand_to_military=any(a.hand_to_military for a in forbidding),
            situation=situation,
        )
    allowing = tuple(a for a in applied if a.effect == "allow")
    holding = tuple(a for a in allowing if a.holds)
    if holding:
        authority = holding[0]
        return Answer(
            allowed=True,
            action=situation.action,
            version=rules.version,
            decisive=(authority,),
            also=holding[1:],
            citations=_citations(holding),
            custody=(authority.custody or rules.custody) if situation.action == "detain" else None,
            situation=situation,
        )
    citations = _citations(allowing) or (rules.basis,)
    return Answer(
        allowed=False,
        action=situation.action,
        version=rules.version,
        decisive=(),
        near=allowing,
        citations=citations,
        no_authority=not allowing,
        situation=situation,
    )


def with_facts(situation: Situation, **facts: Any) -> Situation:
    """The same situation with some facts changed (what-if on the answer page)."""
    return replace(situation, **facts)


@dataclass(frozen=True)
class Primacy:
    """Who holds primacy for a threat (blue box / green box) under a rule set.

    The Force holds it where a rule that hands the situation to the military (``hand_to_military``)
    holds for the situation, whatever action it names; the police hold it otherwise.
    """

    military: bool
    version: str
    decisive: tuple[Applied, ...]  # the rules handing to the military that hold
    near: tuple[Applied, ...]  # those that do not, with the facts they would need
    citations: tuple[Citation, ...]
    situation: Situation | None = field(default=None, compare=False)


def primacy(rules: RuleSet, situation: Situation, *, lang: str = "en") -> Primacy:
    """Police or military primacy for ``situation`` (its ``action`` is not read), citing the
    rules that decide: those that hold, else those that would hand over, else the set's basis.
    A threat not given never hands primacy to the military by itself."""
    if not rules.in_force(situation.on):
        raise ValueError(f"rule set {rules.version} is not in force on {situation.on}")
    military = tuple(_apply(r, situation, lang) for r in rules.rules if r.hand_to_military)
    holding = tuple(a for a in military if a.holds)
    return Primacy(
        military=bool(holding),
        version=rules.version,
        decisive=holding,
        near=tuple(a for a in military if not a.holds),
        citations=_citations(holding or military) or (rules.basis,),
        situation=situation,
    )

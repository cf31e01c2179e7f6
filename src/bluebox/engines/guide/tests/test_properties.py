"""Properties of the guide engine over random situations and random rule sets."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bluebox.engines.guide import (
    ACTIONS,
    LEGAL_BASES,
    PHASES,
    SITE_KINDS,
    THREAT_LEVELS,
    RulesError,
    Situation,
    answer,
    parse,
    primacy,
)

maybe_bool = st.one_of(st.none(), st.booleans())

situations = st.builds(
    Situation,
    action=st.sampled_from(ACTIONS),
    on=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    site_kind=st.one_of(st.none(), st.sampled_from(SITE_KINDS)),
    national_police_present=maybe_bool,
    national_police_operational=maybe_bool,
    host_request=maybe_bool,
    threat=st.one_of(st.none(), st.sampled_from(THREAT_LEVELS)),
    imminent_threat=maybe_bool,
    hrddp_cleared=maybe_bool,
    commander_order=maybe_bool,
    phase=st.one_of(st.none(), st.sampled_from(PHASES)),
    legal_basis=st.one_of(st.none(), st.sampled_from(LEGAL_BASES)),
)

whens = st.fixed_dictionaries(
    {},
    optional={
        "national_police_able": st.booleans(),
        "national_police_present": st.booleans(),
        "host_request": st.booleans(),
        "imminent_threat": st.booleans(),
        "hrddp_cleared": st.booleans(),
        "site_kind": st.lists(st.sampled_from(SITE_KINDS), min_size=1, max_size=3, unique=True),
        "threat_at_least": st.sampled_from(THREAT_LEVELS),
        "phase": st.lists(st.sampled_from(PHASES), min_size=1, max_size=2, unique=True),
    },
)


@st.composite
def rule_documents(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(min_value=1, max_value=8))
    rules = []
    for i in range(n):
        actions = draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3, unique=True))
        effect = draw(st.sampled_from(["allow", "forbid"]))
        rule: dict[str, Any] = {
            "key": f"r{i}",
            "action": actions,
            "effect": effect,
            "title": {"en": f"Rule {i}"},
            "when": draw(whens),
            "cite": [{"document": draw(st.sampled_from(["a", "b"])), "paragraph": str(i + 1)}],
        }
        if effect == "allow" and set(actions) & {"arrest", "detain"}:
            if set(actions) <= {"arrest", "detain"}:
                rule["legal_basis"] = draw(st.sampled_from(LEGAL_BASES))
            else:
                rule["action"] = [a for a in actions if a not in ("arrest", "detain")] or ["escort"]
        rules.append(rule)
    return {
        "format": "bluebox-rules/1",
        "version": "x",
        "title": {"en": "Random rules"},
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "authority": "quasi_executive",
        "documents": [
            {"key": "a", "kind": "mandate", "title": {"en": "Mandate"}},
            {"key": "b", "kind": "sop", "title": {"en": "SOP"}},
        ],
        "basis": {"document": "a", "paragraph": "1"},
        "rules": rules,
    }


@settings(max_examples=300, deadline=None)
@given(doc=rule_documents(), situation=situations)
def test_no_answer_lacks_a_citation(doc: dict[str, Any], situation: Situation) -> None:
    rules = parse(doc)
    got = answer(rules, situation)
    assert got.citations, "an answer without a citation"
    for c in got.citations:
        assert c.document in rules.documents
    # Yes needs an authority that holds; no forbidding rule may hold at the same time.
    applied = list(rules.rules_for(situation.action))
    if got.allowed:
        assert got.decisive and got.decisive[0].effect == "allow" and got.decisive[0].holds
    assert all(a.effect == "forbid" for a in got.decisive) or got.allowed
    assert len(applied) >= len(got.decisive)


@settings(max_examples=200, deadline=None)
@given(doc=rule_documents(), situation=situations)
def test_a_fact_not_given_never_grants(doc: dict[str, Any], situation: Situation) -> None:
    """Forgetting a fact can turn a yes into a no, never a no into a yes."""
    rules = parse(doc)
    full = answer(rules, situation)
    if full.allowed:
        return
    for fact in ("host_request", "imminent_threat", "national_police_present", "threat"):
        if getattr(situation, fact) is None:
            continue
        fewer = answer(rules, Situation(**{**vars(situation), fact: None}))
        # Removing a fact may lift a prohibition, but may not by itself satisfy an authority
        # that did not hold with the fact given.
        if fewer.allowed:
            authority = fewer.decisive[0]
            assert all(c.actual is not None for c in authority.checks)


@given(st.integers(min_value=1, max_value=400))
def test_dates_in_the_wrong_order_are_refused(days: int) -> None:
    start = date(2026, 6, 1)
    bad = {
        "format": "bluebox-rules/1",
        "version": "x",
        "title": {"en": "t"},
        "valid_from": start.isoformat(),
        "valid_until": (start - timedelta(days=days)).isoformat(),
        "authority": "executive",
        "documents": [{"key": "a", "kind": "mandate", "title": {"en": "M"}}],
        "basis": {"document": "a", "paragraph": "1"},
        "rules": [
            {
                "key": "r",
                "action": "escort",
                "effect": "allow",
                "title": {"en": "R"},
                "cite": [{"document": "a", "paragraph": "2"}],
            }
        ],
    }
    try:
        parse(bad)
    except RulesError as exc:
        assert "valid_until: before valid_from" in exc.problems
    else:
        raise AssertionError("dates in the wrong order accepted")


@st.composite
def rule_documents_handing_over(draw: Any) -> dict[str, Any]:
    doc = draw(rule_documents())
    for rule in doc["rules"]:
        rule["hand_to_military"] = draw(st.booleans())
    return doc


@settings(max_examples=200, deadline=None)
@given(doc=rule_documents_handing_over(), situation=situations)
def test_primacy_is_the_forces_exactly_where_a_rule_handing_over_holds(
    doc: dict[str, Any], situation: Situation
) -> None:
    rules = parse(doc)
    got = primacy(rules, situation)
    assert got.citations and all(c.document in rules.documents for c in got.citations)
    handing = got.decisive + got.near
    assert {a.key for a in handing} == {r.key for r in rules.rules if r.hand_to_military}
    assert got.military == any(a.holds for a in handing)
    assert all(a.holds for a in got.decisive) and not any(a.holds for a in got.near)
    # A fact left out never hands primacy to the military by itself.
    if not got.military:
        for fact in ("threat", "imminent_threat", "national_police_present", "host_request"):
            fewer = primacy(rules, Situation(**{**vars(situation), fact: None}))
            assert not fewer.military

"""Reading rule documents: every problem reported at once, with its place in the document."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bluebox.engines.guide import RulesError, Situation, answer, diff, parse


def _doc(**over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "bluebox-rules/1",
        "version": "1",
        "title": {"en": "Rules", "fr": "Règles"},
        "languages": ["en", "fr"],
        "valid_from": "2026-01-01",
        "authority": "quasi_executive",
        "documents": [{"key": "m", "kind": "mandate", "title": {"en": "Mandate", "fr": "Mandat"}}],
        "basis": {"document": "m", "paragraph": "1"},
        "rules": [
            {
                "key": "utm",
                "action": "detain",
                "effect": "allow",
                "legal_basis": "urgent_temporary_measure",
                "when": {"national_police_able": False, "host_request": True},
                "title": {"en": "UTM", "fr": "MTU"},
                "cite": [{"document": "m", "paragraph": "3(b)"}],
                "custody": {"handover_target_hours": 48, "hard_limit_hours": 72},
            }
        ],
    }
    doc.update(over)
    return doc


def test_the_schema_in_docs_is_the_engines() -> None:
    shipped = resources.files("bluebox.engines.guide").joinpath("schemas/rule-set.schema.json")
    docs = Path(__file__).parents[5] / "docs" / "schemas" / "rule-set.schema.json"
    assert json.loads(shipped.read_text("utf-8")) == json.loads(docs.read_text("utf-8"))


def test_every_problem_is_named_with_its_place() -> None:
    doc = _doc()
    doc["rules"][0]["cite"] = [{"document": "nowhere", "paragraph": "2"}]
    doc["rules"][0]["custody"] = {"handover_target_hours": 80, "hard_limit_hours": 72}
    doc["rules"][0]["title"] = {"en": "UTM"}
    doc["rules"].append(dict(doc["rules"][0], key="utm"))
    with pytest.raises(RulesError) as caught:
        parse(doc)
    problems = caught.value.problems
    assert "rules[0].cite[0].document: 'nowhere' is not in documents" in problems
    assert "rules[0].custody: limits must satisfy 0 < handover target <= hard limit" in problems
    assert "rules[0].title: no text in 'fr', a language of this set" in problems
    assert "rules[1].key: 'utm' is used by another rule" in problems


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"format": "other"}, "format"),
        ({"authority": "imperial"}, "authority"),
        ({"valid_from": "1st of May"}, "valid_from"),
        ({"rules": []}, "rules"),
        ({"basis": {"document": "m"}}, "basis"),
    ],
)
def test_a_bad_shape_is_refused_with_its_place(change: dict[str, Any], where: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse(_doc(**change))
    assert any(p.startswith(where) for p in caught.value.problems), caught.value.problems


def test_a_rule_without_citation_is_refused() -> None:
    doc = _doc()
    doc["rules"][0]["cite"] = []
    with pytest.raises(RulesError) as caught:
        parse(doc)
    assert caught.value.problems[0].startswith("rules[0].cite")


def test_an_arrest_authority_names_its_legal_basis() -> None:
    doc = _doc()
    del doc["rules"][0]["legal_basis"]
    with pytest.raises(RulesError, match="names its basis"):
        parse(doc)


def test_a_set_outside_its_dates_does_not_answer() -> None:
    rules = parse(_doc(valid_until="2026-06-30"))
    with pytest.raises(ValueError, match="not in force"):
        answer(rules, Situation("detain", date(2026, 7, 1)))


def test_an_action_no_rule_allows_cites_the_basis() -> None:
    got = answer(parse(_doc()), Situation("escort", date(2026, 3, 1)))
    assert not got.allowed and got.no_authority
    assert [(c.document, c.paragraph) for c in got.citations] == [("m", "1")]


def test_answers_are_in_the_language_asked_english_where_missing() -> None:
    doc = _doc(languages=["en"])
    doc["rules"][0]["steps"] = [{"en": "Register", "fr": "Enregistrer"}, {"en": "Report"}]
    s = Situation("detain", date(2026, 3, 1), national_police_present=False, host_request=True)
    got = answer(parse(doc), s, lang="fr")
    assert got.decisive[0].title == "MTU"
    assert got.decisive[0].steps == ("Enregistrer", "Report")


def test_the_diff_names_what_a_renewal_changes() -> None:
    before = parse(_doc())
    doc = _doc(version="2", valid_from="2027-01-01")
    doc["rules"][0]["custody"] = {"handover_target_hours": 24, "hard_limit_hours": 72}
    doc["rules"].append(
        {
            "key": "escort",
            "action": "escort",
            "effect": "allow",
            "title": {"en": "Escort", "fr": "Escorte"},
            "cite": [{"document": "m", "paragraph": "4"}],
        }
    )
    changes = {(c.kind, c.subject, c.key): c for c in diff(before, parse(doc))}
    assert changes[("changed", "rule", "utm")].fields == ("custody",)
    assert changes[("changed", "rule", "utm")].after == {
        "custody": {
            "handover_target_hours": 24.0,
            "hard_limit_hours": 72.0,
            "escalate_before_target_hours": None,
            "escalate_before_limit_hours": None,
        }
    }
    assert ("added", "rule", "escort") in changes
    assert changes[("changed", "set", "2")].fields == ("valid_from",)
    assert not diff(before, before)

"""Rules as data: one version of a mission's authorities and limits, read from a document.

A rule set is what one mandate and its SOPs allow the police component to do, in force between
two dates. Each rule names an **action** (arrest, detain, search, a level of force, escort, a
joint patrol with a host-state unit, a handover), an **effect** (it allows the action, or it
forbids it), the **facts** under which it applies (``when``), what the officer must then do
(conditions, steps, limits, written in each of the mission's languages) and the **citations**
(document and paragraph) it comes from. A detention rule may also set the custody clock.

The document's shape is checked against ``schemas/rule-set.schema.json`` (copied to
``docs/schemas/``); :func:`parse` adds what a schema cannot say (citations name a document of
the set, keys are unique, dates are in order, custody limits are coherent) and reports every
problem at once, each with its place in the document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

FORMAT = "bluebox-rules/1"
LANGUAGES = ("en", "fr", "ar")

ACTIONS = (
    "arrest",
    "detain",
    "search",
    "use_force_physical",
    "use_force_less_lethal",
    "use_force_lethal",
    "escort",
    "joint_patrol",
    "handover",
)
EFFECTS = ("allow", "forbid")
LEGAL_BASES = ("executive_arrest", "urgent_temporary_measure", "poc_site_rules", "imminent_threat")
SITE_KINDS = ("team_site", "idp_camp", "poc_site", "police_station", "market", "base")
# Ordered: the armed threat level of the situation. "heavy" is sustained, large-scale use of
# firearms or military weapons: military primacy (green box).
THREAT_LEVELS = ("none", "unarmed", "armed", "heavy")
PHASES = ("prevention", "pre_emption", "response", "consolidation")
TIERS = ("dialogue", "physical_protection", "protective_environment")

# The facts a rule's ``when`` may test, and what each accepts.
BOOLEAN_FACTS = (
    "national_police_present",
    "national_police_operational",
    "national_police_able",  # present and operational
    "host_request",
    "imminent_threat",
    "hrddp_cleared",
    "commander_order",
)
LIST_FACTS = {"site_kind": SITE_KINDS, "phase": PHASES, "tier": TIERS}
LEVEL_FACTS = {"threat_at_least": THREAT_LEVELS, "threat_at_most": THREAT_LEVELS}
FACT_KEYS = (*BOOLEAN_FACTS, *LIST_FACTS, *LEVEL_FACTS)


class RulesError(ValueError):
    """A rule document that cannot be used, with every problem found (``path: message``)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


Text = dict[str, str]  # language -> text; "en" is always present


def text_in(text: Text, lang: str) -> str:
    """``text`` in ``lang``, or in English where that language is missing."""
    return text.get(lang) or text["en"]


@dataclass(frozen=True)
class Document:
    key: str
    title: Text
    kind: str
    issued: date | None = None
    url: str = ""


@dataclass(frozen=True)
class Citation:
    document: str  # a Document.key of the same set
    paragraph: str


@dataclass(frozen=True)
class Custody:
    """The custody clock a detention rule's SOP sets (same keys as the mission's settings)."""

    handover_target_hours: float
    hard_limit_hours: float
    escalate_before_target_hours: tuple[float, ...] | None = None
    escalate_before_limit_hours: tuple[float, ...] | None = None

    def as_settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "handover_target_hours": self.handover_target_hours,
            "hard_limit_hours": self.hard_limit_hours,
        }
        if self.escalate_before_target_hours is not None:
            out["escalate_before_target_hours"] = list(self.escalate_before_target_hours)
        if self.escalate_before_limit_hours is not None:
            out["escalate_before_limit_hours"] = list(self.escalate_before_limit_hours)
        return out


@dataclass(frozen=True)
class Rule:
    key: str
    actions: tuple[str, ...]
    effect: str
    title: Text
    when: dict[str, Any]
    cite: tuple[Citation, ...]
    conditions: tuple[Text, ...] = ()
    steps: tuple[Text, ...] = ()
    limits: tuple[Text, ...] = ()
    legal_basis: str | None = None
    custody: Custody | None = None
    hand_to_military: bool = False


@dataclass(frozen=True)
class RuleSet:
    """One version of a mission's rules."""

    version: str
    title: Text
    valid_from: date
    valid_until: date | None
    authority: str
    documents: dict[str, Document]
    basis: Citation
    rules: tuple[Rule, ...]
    custody: Custody | None = None
    mission: str | None = None
    languages: tuple[str, ...] = field(default=("en",))

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    def rules_for(self, action: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if action in r.actions)


@cache
def schema() -> dict[str, Any]:
    text = resources.files("bluebox.engines.guide").joinpath("schemas/rule-set.schema.json")
    loaded: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return loaded


def _where(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _custody(data: dict[str, Any] | None, where: str, problems: list[str]) -> Custody | None:
    if data is None:
        return None
    target = float(data["handover_target_hours"])
    limit = float(data["hard_limit_hours"])
    if not 0 < target <= limit:
        problems.append(f"{where}: limits must satisfy 0 < handover target <= hard limit")

    def points(key: str) -> tuple[float, ...] | None:
        if key not in data:
            return None
        return tuple(sorted({float(v) for v in data[key]}, reverse=True))

    return Custody(
        target, limit, points("escalate_before_target_hours"), points("escalate_before_limit_hours")
    )


def _texts(items: list[Any]) -> tuple[Text, ...]:
    return tuple(dict(t) for t in items)


def _rule_problems(r: dict[str, Any], where: str, actions: tuple[str, ...]) -> list[str]:
    problems = []
    when = r.get("when", {})
    at_least, at_most = when.get("threat_at_least"), when.get("threat_at_most")
    if at_least and at_most and THREAT_LEVELS.index(at_least) > THREAT_LEVELS.index(at_most):
        problems.append(f"{where}.when: threat_at_least is above threat_at_most")
    basis = r.get("legal_basis")
    if basis and not set(actions) <= {"arrest", "detain"}:
        problems.append(f"{where}.legal_basis: only arrest and detention rules have one")
    if set(actions) & {"arrest", "detain"} and r["effect"] == "allow" and not basis:
        problems.append(f"{where}.legal_basis: an authority to arrest or detain names its basis")
    if r.get("custody") and "detain" not in actions:
        problems.append(f"{where}.custody: only a rule that allows detention sets a custody clock")
    return problems


def _language_problems(r: dict[str, Any], where: str, languages: tuple[str, ...]) -> list[str]:
    problems = []
    for lang in languages:
        if lang not in r["title"]:
            problems.append(f"{where}.title: no text in {lang!r}, a language of this set")
        for part in ("conditions", "steps", "limits"):
            for j, t in enumerate(r.get(part, [])):
                if lang not in t:
                    problems.append(f"{where}.{part}[{j}]: no text in {lang!r}")
    return problems


def _rule(
    r: dict[str, Any],
    where: str,
    languages: tuple[str, ...],
    citation: Callable[[dict[str, Any], str], Citation],
    problems: list[str],
) -> Rule:
    actions = tuple([r["action"]] if isinstance(r["action"], str) else r["action"])
    problems.extend(_rule_problems(r, where, actions))
    problems.extend(_language_problems(r, where, languages))
    return Rule(
        key=r["key"],
        actions=actions,
        effect=r["effect"],
        title=dict(r["title"]),
        when=dict(r.get("when", {})),
        cite=tuple(citation(c, f"{where}.cite[{j}]") for j, c in enumerate(r["cite"])),
        conditions=_texts(r.get("conditions", [])),
        steps=_texts(r.get("steps", [])),
        limits=_texts(r.get("limits", [])),
        legal_basis=r.get("legal_basis"),
        custody=_custody(r.get("custody"), f"{where}.custody", problems),
        hand_to_military=bool(r.get("hand_to_military", False)),
    )


def parse(doc: Any) -> RuleSet:
    """Check a rule document and turn it into a :class:`RuleSet`.

    Raises
    ------
    RulesError
        With every problem found, each as ``place: message``.
    """
    if isinstance(doc, dict):
        # YAML reads unquoted dates as dates; the schema speaks of strings.
        doc = json.loads(json.dumps(doc, default=str))
    validator = jsonschema.Draft202012Validator(schema())
    shape = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if shape:
        raise RulesError([f"{_where(e.absolute_path)}: {e.message}" for e in shape[:20]])
    problems: list[str] = []
    documents: dict[str, Document] = {}
    for i, d in enumerate(doc["documents"]):
        if d["key"] in documents:
            problems.append(f"documents[{i}].key: {d['key']!r} is listed twice")
        documents[d["key"]] = Document(
            key=d["key"],
            title=dict(d["title"]),
            kind=d["kind"],
            issued=_date(d["issued"]) if d.get("issued") else None,
            url=d.get("url", ""),
        )

    def citation(c: dict[str, Any], where: str) -> Citation:
        if c["document"] not in documents:
            problems.append(f"{where}.document: {c['document']!r} is not in documents")
        return Citation(c["document"], str(c["paragraph"]).strip())

    valid_from = _date(doc["valid_from"])
    valid_until = _date(doc["valid_until"]) if doc.get("valid_until") else None
    if valid_until is not None and valid_until < valid_from:
        problems.append("valid_until: before valid_from")
    languages = tuple(doc.get("languages", ["en"]))
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, r in enumerate(doc["rules"]):
        where = f"rules[{i}]"
        if r["key"] in seen:
            problems.append(f"{where}.key: {r['key']!r} is used by another rule")
        seen.add(r["key"])
        rules.append(_rule(r, where, languages, citation, problems))
    basis_citation = citation(doc["basis"], "basis")
    custody = _custody(doc.get("custody"), "custody", problems)
    if problems:
        raise RulesError(problems)
    return RuleSet(
        version=str(doc["version"]),
        title=dict(doc["title"]),
        valid_from=valid_from,
        valid_until=valid_until,
        authority=doc["authority"],
        documents=documents,
        basis=basis_citation,
        rules=tuple(rules),
        custody=custody,
        mission=doc.get("mission"),
        languages=languages,
    )

"""The engine's answers in words, in the reader's language (every phrase through gettext)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bluebox.engines.guide import Answer, Check, Citation, RuleSet, text_in
from bluebox.guide.models import Action, Phase, Threat
from bluebox.missions.models import SiteKind

LEGAL_BASIS_LABELS = {
    "executive_arrest": gettext_lazy("arrest under the mission's executive authority"),
    "urgent_temporary_measure": gettext_lazy("an urgent temporary measure"),
    "poc_site_rules": gettext_lazy("the rules of the protection of civilians site"),
    "imminent_threat": gettext_lazy("an imminent threat to civilians"),
}
TIER_LABELS = {
    "dialogue": gettext_lazy("tier I, dialogue and engagement"),
    "physical_protection": gettext_lazy("tier II, physical protection"),
    "protective_environment": gettext_lazy("tier III, a protective environment"),
}


def _labels(values: Any, choices: Any) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(v, v)) for v in values)


def needs(check: Check) -> str:
    """What the rule needs, in words."""
    fact, want = check.fact, check.expected
    yes_no = {
        "national_police_present": (
            _("national police present at the site"),
            _("national police absent from the site"),
        ),
        "national_police_operational": (
            _("national police operational"),
            _("national police not operational"),
        ),
        "national_police_able": (
            _("national police present and operational"),
            _("national police absent or not operational"),
        ),
        "host_request": (
            _("a request from the host state"),
            _("no request from the host state"),
        ),
        "imminent_threat": (
            _("an imminent threat of physical violence against civilians"),
            _("no imminent threat to civilians"),
        ),
        "hrddp_cleared": (
            _("a human rights due diligence decision that allows this support"),
            _("no human rights due diligence decision allowing it"),
        ),
        "commander_order": (
            _("an order of the commander"),
            _("no order of the commander"),
        ),
    }
    if fact in yes_no:
        return yes_no[fact][0 if want else 1]
    phrases: dict[str, Any] = {
        "site_kind": lambda: (
            _("a site of kind: %(kinds)s") % {"kinds": _labels(want, SiteKind.choices)}
        ),
        "phase": lambda: _("the phase: %(phases)s") % {"phases": _labels(want, Phase.choices)},
        "tier": lambda: _("the tier: %(tiers)s") % {"tiers": _labels(want, TIER_LABELS.items())},
        "threat_at_least": lambda: (
            _("a threat at least: %(level)s") % {"level": Threat(want).label}
        ),
        "threat_at_most": lambda: _("a threat at most: %(level)s") % {"level": Threat(want).label},
        "legal_basis": lambda: (
            _("the legal basis: %(basis)s") % {"basis": LEGAL_BASIS_LABELS[want]}
        ),
    }
    return str(phrases[fact]()) if fact in phrases else str(fact)


def found(check: Check) -> str:
    """What the situation is for that fact, in words."""
    fact, value = check.fact, check.actual
    if value is None:
        return _("not established")
    if fact == "national_police_able":
        return (
            _("national police are present and operational")
            if value
            else _("national police are absent or not operational")
        )
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    labels: dict[str, Any] = {
        "site_kind": dict(SiteKind.choices),
        "phase": dict(Phase.choices),
        "tier": TIER_LABELS,
        "threat_at_least": dict(Threat.choices),
        "threat_at_most": dict(Threat.choices),
        "legal_basis": LEGAL_BASIS_LABELS,
    }
    return str(labels.get(fact, {}).get(value, value))


def unmet(check: Check) -> str:
    return _("Needs %(needs)s; here: %(found)s.") % {"needs": needs(check), "found": found(check)}


def citation(rules: RuleSet, cite: Citation, lang: str) -> str:
    doc = rules.documents[cite.document]
    return _("%(document)s, paragraph %(paragraph)s") % {
        "document": text_in(doc.title, lang),
        "paragraph": cite.paragraph,
    }


@dataclass(frozen=True)
class Worded:
    """An answer ready to show or send: every part in words, in one language."""

    allowed: bool
    action: str
    action_label: str
    headline: str
    rule_titles: tuple[str, ...]
    reasons: tuple[str, ...]
    conditions: tuple[str, ...]
    steps: tuple[str, ...]
    limits: tuple[str, ...]
    citations: tuple[str, ...]
    custody: dict[str, Any] | None
    hand_to_military: bool
    version: str
    rule_keys: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in vars(self).items()}


def worded(rules: RuleSet, result: Answer, lang: str) -> Worded:
    """The answer in words: yes or no, the reasons, what to do, the limits and the sources."""
    action_label = str(Action(result.action).label)
    reasons: list[str] = []
    conditions: list[str] = []
    steps: list[str] = []
    limits: list[str] = []
    if result.allowed:
        headline = _("Yes — %(action)s: allowed here, on these conditions.") % {
            "action": action_label
        }
        authority = result.decisive[0]
        conditions = [
            _("Holds now: %(fact)s.") % {"fact": needs(c)} for c in authority.checks
        ] + list(authority.conditions)
        steps = list(authority.steps)
        limits = list(authority.limits)
    elif result.decisive:
        headline = _("No — %(action)s: not allowed here.") % {"action": action_label}
        for rule in result.decisive:
            reasons.append(rule.title)
            steps.extend(rule.steps)
    elif result.no_authority:
        headline = _("No — %(action)s: nothing in these rules allows it.") % {
            "action": action_label
        }
        reasons.append(_("No rule of this version gives the police component that authority."))
    else:
        headline = _("No — %(action)s: not allowed here.") % {"action": action_label}
        for rule in result.near:
            reasons.append(
                _("%(rule)s — %(unmet)s")
                % {"rule": rule.title, "unmet": " ".join(unmet(c) for c in rule.unmet)}
            )
    if result.hand_to_military:
        reasons.append(_("Military primacy (green box): hand over to the Force."))
    custody = None
    if result.custody is not None:
        custody = result.custody.as_settings()
        limits.append(
            _("Custody clock: hand over within %(target)s hours, never beyond %(limit)s hours.")
            % {
                "target": f"{result.custody.handover_target_hours:g}",
                "limit": f"{result.custody.hard_limit_hours:g}",
            }
        )
    return Worded(
        allowed=result.allowed,
        action=result.action,
        action_label=action_label,
        headline=headline,
        rule_titles=tuple(r.title for r in result.decisive),
        reasons=tuple(reasons),
        conditions=tuple(conditions),
        steps=tuple(steps),
        limits=tuple(limits),
        citations=tuple(citation(rules, c, lang) for c in result.citations),
        custody=custody,
        hand_to_military=result.hand_to_military,
        version=result.version,
        rule_keys=result.rule_keys,
    )


def bundled(rules: RuleSet, lang: str) -> dict[str, Any]:
    """The rule set as the field app keeps it to answer offline: the decision data of each
    rule (what the engine reads), its texts and citations in ``lang``, and the words of the
    facts it tests. Nothing in it names a person."""

    def cites(items: tuple[Citation, ...]) -> list[dict[str, str]]:
        return [
            {"key": f"{c.document}:{c.paragraph}", "text": citation(rules, c, lang)} for c in items
        ]

    def custody(c: Any) -> dict[str, Any] | None:
        return c.as_settings() if c is not None else None

    return {
        "version": rules.version,
        "valid_from": rules.valid_from.isoformat(),
        "valid_until": rules.valid_until.isoformat() if rules.valid_until else None,
        "basis": cites((rules.basis,))[0],
        "custody": custody(rules.custody),
        "rules": [
            {
                "key": r.key,
                "actions": list(r.actions),
                "effect": r.effect,
                "when": {
                    k: list(v) if isinstance(v, list | tuple) else v for k, v in r.when.items()
                },
                "needs": {k: needs(Check(k, v, None, False)) for k, v in r.when.items()},
                "title": text_in(r.title, lang),
                "conditions": [text_in(t, lang) for t in r.conditions],
                "steps": [text_in(t, lang) for t in r.steps],
                "limits": [text_in(t, lang) for t in r.limits],
                "cite": cites(r.cite),
                "custody": custody(r.custody),
                "hand_to_military": r.hand_to_military,
            }
            for r in rules.rules
        ],
    }


def bundle_words() -> dict[str, Any]:
    """The phrases an offline answer is written with, in the current language (the same as
    :func:`worded` uses on the server)."""
    return {
        "actions": {k: str(v) for k, v in Action.choices},
        "threats": {k: str(v) for k, v in Threat.choices},
        "yes": str(_("Yes — %(action)s: allowed here, on these conditions.")),
        "no": str(_("No — %(action)s: not allowed here.")),
        "none": str(_("No — %(action)s: nothing in these rules allows it.")),
        "no_authority": str(
            _("No rule of this version gives the police component that authority.")
        ),
        "holds": str(_("Holds now: %(fact)s.")),
        "near": str(_("%(rule)s — %(unmet)s")),
        "unmet": str(_("Needs %(needs)s; here: %(found)s.")),
        "green_box": str(_("Military primacy (green box): hand over to the Force.")),
        "clock": str(
            _("Custody clock: hand over within %(target)s hours, never beyond %(limit)s hours.")
        ),
        "found": {
            "unknown": str(_("not established")),
            "yes": str(_("yes")),
            "no": str(_("no")),
            "able": str(_("national police are present and operational")),
            "unable": str(_("national police are absent or not operational")),
            "site_kind": {k: str(v) for k, v in SiteKind.choices},
        },
    }

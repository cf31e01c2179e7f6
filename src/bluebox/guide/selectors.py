"""Reads of the field guide: the versions a person may see, the version in force, the answer.

:func:`answer_for` serves a person (it checks they may read the mission's rules);
:func:`gate` serves the registers that the rules gate (detention, joint patrols, handovers):
it reads the version in force at the moment of the act, whoever asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bluebox.core import access
from bluebox.core.providers import PrimacyRuling
from bluebox.core.roles import Resource
from bluebox.engines.guide import Answer, RuleSet, Situation, answer, diff, primacy
from bluebox.engines.guide.diff import Change
from bluebox.guide.adapter import ruleset_of, site_situation
from bluebox.guide.explain import Worded, bundle_words, bundled, citation, unmet, worded
from bluebox.guide.models import RuleOverride, RuleVersion, VersionStatus
from bluebox.missions.models import FieldSite, Mission
from bluebox.missions.selectors import sites_for


def versions_for(user: Any, mission_id: int | None = None) -> QuerySet[RuleVersion]:
    qs = access.visible(user, RuleVersion.objects.select_related("mission"))
    return qs.filter(mission_id=mission_id) if mission_id is not None else qs


def version_get(user: Any, pk: int) -> RuleVersion:
    return access.get_visible(user, RuleVersion.objects.select_related("mission"), pk=pk)


def overrides_for(user: Any, mission_id: int | None = None) -> QuerySet[RuleOverride]:
    qs = access.visible(user, RuleOverride.objects.select_related("site", "version"))
    return qs.filter(mission_id=mission_id) if mission_id is not None else qs


def approved(mission_id: int) -> QuerySet[RuleVersion]:
    return RuleVersion.objects.filter(mission_id=mission_id, status=VersionStatus.APPROVED)


def in_force(mission_id: int, on: date) -> RuleVersion | None:
    """The approved version in force on ``on`` (approved versions never overlap)."""
    return (
        approved(mission_id)
        .filter(valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .first()
    )


def previous_of(version: RuleVersion) -> RuleVersion | None:
    """The approved version this one follows (the latest starting before it)."""
    return (
        approved(version.mission_id)
        .exclude(pk=version.pk)
        .filter(valid_from__lt=version.valid_from)
        .order_by("-valid_from")
        .first()
    )


def changes_of(version: RuleVersion) -> tuple[RuleVersion | None, list[Change]]:
    """What approving ``version`` changes, against the version it follows."""
    before = previous_of(version)
    return before, diff(ruleset_of(before) if before else None, ruleset_of(version))


def local_date(mission: Mission, at: datetime) -> date:
    return at.astimezone(ZoneInfo(mission.timezone)).date()


@dataclass(frozen=True)
class Result:
    """An answer (or why there is none), with the version it comes from."""

    version: RuleVersion | None
    rules: RuleSet | None
    answer: Answer | None
    words: Worded | None

    @property
    def allowed(self) -> bool:
        return self.answer is not None and self.answer.allowed


def _answer(
    mission: Mission, site: FieldSite, action: str, on: date, lang: str, facts: dict[str, Any]
) -> Result:
    version = in_force(mission.pk, on)
    if version is None:
        return Result(None, None, None, None)
    return _answer_from(version, ruleset_of(version), site, action, on, lang, facts)


def _answer_from(
    version: RuleVersion | None,
    rules: RuleSet,
    site: FieldSite,
    action: str,
    on: date,
    lang: str,
    facts: dict[str, Any],
) -> Result:
    result = answer(rules, site_situation(site, action, on, **facts), lang=lang)
    return Result(version, rules, result, worded(rules, result, lang))


def operator_answer(
    site: FieldSite,
    *,
    action: str,
    on: date,
    lang: str,
    rules: RuleSet | None = None,
    **facts: Any,
) -> Result:
    """The answer for the operator on the server (the command line): from the version in
    force on ``on``, or from ``rules``, a document not yet proposed, to read it before it is.
    The rules are the mission's law, not operational content: no person's clearance applies."""
    if rules is None:
        return _answer(site.mission, site, action, on, lang, facts)
    return _answer_from(None, rules, site, action, on, lang, facts)


def answer_for(
    user: Any, *, site_id: int, action: str, on: date, lang: str, **facts: Any
) -> Result:
    """The answer for a person asking about a site they may see (``NotVisible`` otherwise, and
    for a site whose mission's rules they may not read)."""
    site = access.get_visible(user, FieldSite.objects.select_related("mission"), pk=site_id)
    if not access.can_in_scope(user, Resource.GUIDE, "view", mission_id=site.mission_id):
        raise access.refuse_lookup(user, FieldSite.objects.all(), action="view", pk=site_id)
    return _answer(site.mission, site, action, on, lang, facts)


def gate(site: FieldSite, action: str, at: datetime | None = None, **facts: Any) -> Result:
    """What the rules in force at ``site`` and moment ``at`` say of ``action`` (for the
    registers the rules gate). ``Result.version`` is None when no approved version covers
    that day; the caller decides what that means for it."""
    at = at or timezone.now()
    mission = site.mission
    lang = (translation.get_language() or "en")[:2]
    return _answer(mission, site, action, local_date(mission, at), lang, facts)


@dataclass(frozen=True)
class Ruled:
    """The rules' ruling on primacy, with the version and the facts it was asked with."""

    version: RuleVersion | None
    ruling: PrimacyRuling
    situation: dict[str, Any]


def primacy_at(mission: Mission, site: FieldSite | None, at: datetime, threat: str | None) -> Ruled:
    """Who holds primacy for a threat at ``site`` (or anywhere in the mission) and moment
    ``at`` under the version in force that day, in the current language."""
    on = local_date(mission, at)
    version = in_force(mission.pk, on)
    if version is None:
        reason = str(_("No version of the rules is in force on that day."))
        return Ruled(None, PrimacyRuling(None, False, (reason,)), {"on": on.isoformat()})
    rules = ruleset_of(version)
    lang = (translation.get_language() or "en")[:2]
    situation = (
        site_situation(site, "primacy", on, threat=threat)
        if site is not None
        else Situation(action="primacy", on=on, threat=threat)
    )
    ruled = primacy(rules, situation, lang=lang)
    if ruled.military:
        reasons = [a.title for a in ruled.decisive]
        reasons.append(str(_("Military primacy (green box): hand over to the Force.")))
    else:
        reasons = [
            _("%(rule)s — %(unmet)s")
            % {"rule": a.title, "unmet": " ".join(unmet(c) for c in a.unmet)}
            for a in ruled.near
        ] or [str(_("No rule of this version hands primacy to the Force."))]
    return Ruled(
        version,
        PrimacyRuling(
            version=version.label,
            military=ruled.military,
            reasons=tuple(str(r) for r in reasons),
            citations=tuple(citation(rules, c, lang) for c in ruled.citations),
        ),
        situation.facts(),
    )


def has_rules(mission_id: int) -> bool:
    """Has this mission adopted rules at all (any approved version)?"""
    return approved(mission_id).exists()


def may_read_rules(user: Any) -> bool:
    return bool(access.grants(user, Resource.GUIDE, "view"))


def bundle_for(user: Any, lang: str) -> dict[str, Any]:
    """What the field app keeps to answer offline: for each mission whose rules the person
    may read, the version in force today (mission-local) in ``lang``, the sites they may see
    there with the site's record of the national police, and the phrases of an answer. The
    rules are the mission's law and the sites its structure: nothing names a person."""
    now = timezone.now()
    allowed = access.missions_for(user, Resource.GUIDE, "view")
    sites = sites_for(user).filter(mission_id__in=allowed).select_related("mission")
    missions: dict[int, Mission] = {s.mission_id: s.mission for s in sites}
    bundles = []
    for mission in sorted(missions.values(), key=lambda m: m.pk):
        version = in_force(mission.pk, local_date(mission, now))
        if version is None:
            continue
        bundles.append(
            {"id": mission.pk, "name": mission.name, **bundled(ruleset_of(version), lang)}
        )
    kept = {b["id"] for b in bundles}
    return {
        "format": "bluebox-guide-bundle/1",
        "as_of": now.isoformat(),
        "lang": lang,
        "missions": bundles,
        "sites": [
            {
                "id": s.pk,
                "name": s.name,
                "mission": s.mission_id,
                "kind": s.kind,
                "national_police_present": s.national_police_present,
                "national_police_operational": s.national_police_operational,
            }
            for s in sorted(sites, key=lambda s: (s.mission_id, s.name))
            if s.mission_id in kept
        ],
        "words": bundle_words(),
    }

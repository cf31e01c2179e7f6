"""Access matrix rows for detention endpoints (see bluebox.testing.matrix)."""

from __future__ import annotations

from typing import Any

from bluebox.detention.models import Breach, EvidenceTransfer, Notification
from bluebox.detention.tests.factories import (
    ApprehensionFactory,
    EvidenceItemFactory,
    RiskAssessmentFactory,
)
from bluebox.hrddp.tests.factories import DecisionFactory, HostUnitFactory
from bluebox.testing.matrix import MISSION_MEMBERS, PEOPLE, Endpoint, allowed, everyone
from bluebox.testing.second_factor import with_step_ups

# The register is read at site A by these people; identities only by the first two.
HOLDERS = {"commissioner", "detention_officer"}
VIEWERS = HOLDERS | {"analyst", "east_analyst", "reporter_at_a"}
MANAGERS = HOLDERS
COMMANDERS = {"commissioner"}


def _custody_at_a(w: Any) -> None:
    w.custody = ApprehensionFactory(site=w.site_a)


def _open_handover(w: Any) -> None:
    """A low-risk assessment of an approved unit: the handover gate is open."""
    _custody_at_a(w)
    w.unit = HostUnitFactory(mission=w.mission)
    DecisionFactory(assessment__partner=w.unit)
    w.assessment = RiskAssessmentFactory(apprehension=w.custody, receiving_partner=w.unit)


def _blocked_handover(w: Any) -> None:
    _custody_at_a(w)
    w.unit = HostUnitFactory(mission=w.mission)
    w.assessment = RiskAssessmentFactory(
        apprehension=w.custody, receiving_partner=w.unit, risk_ill_treatment="high"
    )


def _unit(w: Any) -> None:
    _custody_at_a(w)
    w.unit = HostUnitFactory(mission=w.mission)


def _breach(w: Any) -> None:
    _custody_at_a(w)
    w.breach = Breach.objects.create(
        mission=w.mission,
        apprehension=w.custody,
        deadline="target",
        deadline_at=w.custody.apprehended_at,
        detected_at=w.custody.apprehended_at,
    )


def _evidence(w: Any) -> None:
    _custody_at_a(w)
    w.item = EvidenceItemFactory(apprehension=w.custody, registered_by=w.detention_officer)


def _offered(w: Any) -> None:
    _evidence(w)
    w.transfer = EvidenceTransfer.objects.create(
        mission=w.mission,
        item=w.item,
        giver=w.detention_officer,
        receiver=w.commissioner,
        purpose="forensics",
        previous_signature=w.item.sha256,
        offered_at=w.item.registered_at,
        giver_signature="0" * 64,
    )


def _notification(w: Any) -> None:
    _custody_at_a(w)
    w.notification = Notification.objects.create(
        mission=w.mission,
        recipient=w.detention_officer,
        apprehension=w.custody,
        text=f"{w.custody.pseudonym}: hard limit in 4 h",
        created_at=w.custody.apprehended_at,
    )


def _create_body(w: Any) -> dict[str, Any]:
    return {
        "mission": w.mission.pk,
        "site": w.site_a.pk,
        "apprehended_at": "2026-01-05T10:00:00Z",
        "detainee_name": "Matrix Person",
        "location": "Gate",
        "apprehending_unit": "FPU 1",
        "legal_basis": "imminent_threat",
        "reason": "Armed attack on shelters",
        "sex": "male",
    }


def _create_expect(who: str) -> int:
    if who in MANAGERS:
        return 201
    return 403 if who in MISSION_MEMBERS else 404


def _reveal_expect(yes: int) -> Any:
    return lambda who: yes if who in HOLDERS else (403 if who in VIEWERS else 404)


def _offer_expect(yes: int, no_custodian: int) -> Any:
    def expect(who: str) -> int:
        if who == "detention_officer":
            return yes
        return no_custodian if who == "commissioner" else 404

    return expect


def _accept_expect(yes: int, not_receiver: int) -> Any:
    def expect(who: str) -> int:
        if who == "commissioner":
            return yes
        return not_receiver if who == "detention_officer" else 404

    return expect


A = "api/v1/detention/"
ENDPOINTS = [
    Endpoint(f"{A}apprehensions/", "get", lambda w: f"/{A}apprehensions/", everyone(200)),
    Endpoint(
        f"{A}apprehensions/",
        "post",
        lambda w: f"/{A}apprehensions/",
        _create_expect,
        body=_create_body,
    ),
    Endpoint(
        f"{A}apprehensions/<int:pk>/",
        "get",
        lambda w: f"/{A}apprehensions/{w.custody.pk}/",
        allowed(VIEWERS, 200, 404),
        setup=_custody_at_a,
    ),
    Endpoint(
        f"{A}apprehensions/<int:pk>/reveal/",
        "post",
        lambda w: f"/{A}apprehensions/{w.custody.pk}/reveal/",
        _reveal_expect(200),
        body=lambda w: {"purpose": "family tracing request"},
        setup=with_step_ups(_custody_at_a, "custody", PEOPLE),
    ),
    Endpoint(
        f"{A}apprehensions/<int:pk>/assessments/",
        "post",
        lambda w: f"/{A}apprehensions/{w.custody.pk}/assessments/",
        allowed(MANAGERS, 201, 404),
        body=lambda w: {
            "receiving_partner": w.unit.pk,
            "risk_ill_treatment": "low",
            "risk_unfair_trial": "low",
            "risk_death_penalty": "low",
            "risk_persecution": "low",
            "rationale": "Monitored facility",
        },
        setup=_unit,
    ),
    Endpoint(
        f"{A}apprehensions/<int:pk>/override/",
        "post",
        lambda w: f"/{A}apprehensions/{w.custody.pk}/override/",
        allowed(COMMANDERS, 201, 404),
        body=lambda w: {
            "assessment": w.assessment.pk,
            "justification": "Assurances obtained in writing from the prosecutor.",
        },
        setup=_blocked_handover,
    ),
    Endpoint(
        f"{A}apprehensions/<int:pk>/handover/",
        "post",
        lambda w: f"/{A}apprehensions/{w.custody.pk}/handover/",
        allowed(MANAGERS, 200, 404),
        body=lambda w: {"assessment": w.assessment.pk},
        setup=_open_handover,
    ),
    Endpoint(
        f"{A}apprehensions/<int:pk>/release/",
        "post",
        lambda w: f"/{A}apprehensions/{w.custody.pk}/release/",
        allowed(MANAGERS, 200, 404),
        body=lambda w: {"reason": "No charge"},
        setup=_custody_at_a,
    ),
    Endpoint(
        f"{A}apprehensions/<int:pk>/transfer/",
        "post",
        lambda w: f"/{A}apprehensions/{w.custody.pk}/transfer/",
        allowed(MANAGERS, 200, 404),
        body=lambda w: {"reason": "Medical care", "destination": "Mission hospital"},
        setup=_custody_at_a,
    ),
    Endpoint(
        f"{A}apprehensions/<int:pk>/void/",
        "post",
        lambda w: f"/{A}apprehensions/{w.custody.pk}/void/",
        allowed(MANAGERS, 200, 404),
        body=lambda w: {"reason": "Entered twice"},
        setup=_custody_at_a,
    ),
    Endpoint(f"{A}breaches/", "get", lambda w: f"/{A}breaches/", everyone(200)),
    Endpoint(
        f"{A}breaches/<int:pk>/explain/",
        "post",
        lambda w: f"/{A}breaches/{w.breach.pk}/explain/",
        allowed(MANAGERS, 200, 404),
        body=lambda w: {"reason": "Road cut by flooding"},
        setup=_breach,
    ),
    Endpoint(f"{A}notifications/", "get", lambda w: f"/{A}notifications/", everyone(200)),
    Endpoint(
        f"{A}evidence/",
        "post",
        lambda w: f"/{A}evidence/",
        allowed(MANAGERS, 201, 404),
        body=lambda w: {"apprehension": w.custody.pk, "kind": "item", "label": "TAG-1"},
        setup=_custody_at_a,
    ),
    Endpoint(
        f"{A}evidence/<int:pk>/transfers/",
        "post",
        lambda w: f"/{A}evidence/{w.item.pk}/transfers/",
        _offer_expect(201, 400),
        body=lambda w: {"receiver": w.commissioner.pk, "purpose": "forensics"},
        setup=_evidence,
    ),
    Endpoint(
        f"{A}evidence/transfers/<int:pk>/accept/",
        "post",
        lambda w: f"/{A}evidence/transfers/{w.transfer.pk}/accept/",
        _accept_expect(200, 400),
        setup=_offered,
    ),
    # Pages.
    Endpoint("detention/", "get", lambda w: "/detention/", everyone(200), api=False),
    Endpoint(
        "detention/new/",
        "get",
        lambda w: "/detention/new/",
        lambda who: 200 if who in MANAGERS | {"other_commander"} else 403,
        api=False,
    ),
    Endpoint(
        "detention/<int:pk>/",
        "get",
        lambda w: f"/detention/{w.custody.pk}/",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_custody_at_a,
    ),
    Endpoint(
        "detention/<int:pk>/reveal/",
        "post",
        lambda w: f"/detention/{w.custody.pk}/reveal/",
        _reveal_expect(200),
        body=lambda w: {"purpose": "family tracing request"},
        api=False,
        setup=with_step_ups(_custody_at_a, "custody", PEOPLE),
    ),
    Endpoint(
        "detention/<int:pk>/handover/",
        "get",
        lambda w: f"/detention/{w.custody.pk}/handover/",
        allowed(MANAGERS, 200, 404),
        api=False,
        setup=_blocked_handover,
    ),
    Endpoint(
        "detention/<int:pk>/assess/",
        "post",
        lambda w: f"/detention/{w.custody.pk}/assess/",
        allowed(MANAGERS, 302, 404),
        body=lambda w: {
            "receiving_partner": w.unit.pk,
            "risk_ill_treatment": "high",
            "risk_unfair_trial": "low",
            "risk_death_penalty": "low",
            "risk_persecution": "low",
            "rationale": "Reports of beatings in custody",
        },
        api=False,
        setup=_unit,
    ),
    Endpoint(
        "detention/<int:pk>/override/",
        "post",
        lambda w: f"/detention/{w.custody.pk}/override/",
        allowed(COMMANDERS, 302, 404),
        body=lambda w: {
            "assessment": w.assessment.pk,
            "justification": "Assurances obtained in writing from the prosecutor.",
        },
        api=False,
        setup=_blocked_handover,
    ),
    Endpoint(
        "detention/<int:pk>/safeguards/",
        "post",
        lambda w: f"/detention/{w.custody.pk}/safeguards/",
        allowed(MANAGERS, 302, 404),
        body=lambda w: {"interpreter": "not_needed", "notification_note": "Declined"},
        api=False,
        setup=_custody_at_a,
    ),
    Endpoint(
        "detention/<int:pk>/move/",
        "post",
        lambda w: f"/detention/{w.custody.pk}/move/",
        allowed(MANAGERS, 302, 404),
        body=lambda w: {
            "moved_at": w.custody.apprehended_at.strftime("%Y-%m-%dT%H:%M"),
            "to_place": "Mission holding facility",
            "reason": "Overnight",
        },
        api=False,
        setup=_custody_at_a,
    ),
    Endpoint(
        "detention/<int:pk>/release/",
        "post",
        lambda w: f"/detention/{w.custody.pk}/release/",
        allowed(MANAGERS, 302, 404),
        body=lambda w: {"reason": "No charge"},
        api=False,
        setup=_custody_at_a,
    ),
    Endpoint(
        "detention/<int:pk>/transfer/",
        "post",
        lambda w: f"/detention/{w.custody.pk}/transfer/",
        allowed(MANAGERS, 302, 404),
        body=lambda w: {"reason": "Medical care", "destination": "Mission hospital"},
        api=False,
        setup=_custody_at_a,
    ),
    Endpoint(
        "detention/<int:pk>/evidence/",
        "post",
        lambda w: f"/detention/{w.custody.pk}/evidence/",
        allowed(MANAGERS, 302, 404),
        body=lambda w: {"kind": "item", "label": "TAG-9"},
        api=False,
        setup=_custody_at_a,
    ),
    Endpoint(
        "detention/evidence/<int:pk>/transfer/",
        "post",
        lambda w: f"/detention/evidence/{w.item.pk}/transfer/",
        allowed(MANAGERS, 302, 404),
        body=lambda w: {"receiver": "commissioner", "purpose": "forensics"},
        api=False,
        setup=_evidence,
    ),
    Endpoint(
        "detention/evidence/transfers/<int:pk>/accept/",
        "post",
        lambda w: f"/detention/evidence/transfers/{w.transfer.pk}/accept/",
        allowed(MANAGERS, 302, 404),
        api=False,
        setup=_offered,
    ),
    Endpoint(
        "detention/breaches/<int:pk>/explain/",
        "post",
        lambda w: f"/detention/breaches/{w.breach.pk}/explain/",
        allowed(MANAGERS, 302, 404),
        body=lambda w: {"reason": "Road cut by flooding"},
        api=False,
        setup=_breach,
    ),
    Endpoint(
        "detention/notifications/<int:pk>/read/",
        "post",
        lambda w: f"/detention/notifications/{w.notification.pk}/read/",
        allowed({"detention_officer"}, 302, 404),
        api=False,
        setup=_notification,
    ),
]

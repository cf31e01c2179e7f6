"""Demo data for detention and HRDDP: a few custodies and unit assessments in the demo mission.

Called by the demo loader after the mission, its partners and its accounts exist. Synthetic
names only; deterministic for a given mission (no randomness, times relative to ``now``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from bluebox.core.models import RoleAssignment
from bluebox.core.roles import Role
from bluebox.detention import services
from bluebox.hrddp import services as hrddp
from bluebox.hrddp.models import HOST_STATE_KINDS
from bluebox.missions.models import FieldSite, Mission, PartnerOrganisation

# Clearly synthetic identities (the demo is marked synthetic everywhere).
DEMO_DETAINEES = [
    ("Demo Detainee Alpha", 6, "imminent_threat", "Armed attack on the camp's water point"),
    ("Demo Detainee Bravo", 40, "imminent_threat", "Arson of shelters"),
    ("Demo Detainee Charlie", 69, "imminent_threat", "Abduction attempt at the market"),
]


def _holder(mission: Mission, role: str) -> object | None:
    assignment = (
        RoleAssignment.objects.filter(
            mission=mission, role=role, sector__isnull=True, site__isnull=True
        )
        .select_related("user")
        .first()
    )
    return assignment.user if assignment else None


def load_demo_detention(mission: Mission, *, now: datetime | None = None) -> int:
    """Create HRDDP assessments and decisions for the host-state units, and open custodies.

    Returns the number of apprehensions created. Does nothing without a commander and the two
    focal points in the mission.
    """
    now = now or timezone.now()
    commander = _holder(mission, Role.COMMANDER)
    officer = _holder(mission, Role.DETENTION_OFFICER)
    focal = _holder(mission, Role.HRDDP_OFFICER)
    if commander is None or officer is None or focal is None:
        return 0
    today = timezone.localdate(now)
    units = list(
        PartnerOrganisation.objects.filter(mission=mission, kind__in=HOST_STATE_KINDS).order_by(
            "pk"
        )
    )
    plans = [
        ("low", "full", "approved", []),
        ("medium", "partial", "approved_with_mitigation", [("Human rights training", -5)]),
        ("high", "none", "declined", []),
    ]
    for n, unit in enumerate(units):
        level, commitment, outcome, measures = plans[n % len(plans)]
        assessment = hrddp.assessment_create(
            actor=focal,
            partner_id=unit.pk,
            violations_history="Synthetic demo record of the unit's human rights history.",
            violations_level=level,
            commitment_level=commitment,
            overall_risk=level,
            monitoring_plan="Quarterly visits by the human rights section.",
            mitigations=[
                {
                    "measure": m,
                    "owner": "Sector police commander",
                    "due_on": today + timedelta(days=d),
                }
                for m, d in measures
            ],
            at=now,
        )
        hrddp.decision_record(
            actor=commander if outcome == "declined" else focal,
            assessment_id=assessment.pk,
            outcome=outcome,
            rationale="Synthetic demo decision.",
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=150),
            review_on=today + timedelta(days=20 + 10 * n),
            at=now,
        )
    site = (
        FieldSite.objects.filter(mission=mission, national_police_operational=False).first()
        or FieldSite.objects.filter(mission=mission).first()
    )
    if site is None:
        return 0
    created = 0
    for n, (name, hours_ago, basis, reason) in enumerate(DEMO_DETAINEES):
        held_at = now - timedelta(hours=hours_ago)
        services.apprehension_record(
            actor=officer,
            mission=mission,
            site_id=site.pk,
            apprehended_at=now - timedelta(hours=hours_ago),
            detainee_name=name,
            location=f"Near {site.name}",
            apprehending_unit="FPU 1, quick reaction force",
            legal_basis=basis,
            reason=reason,
            medical_check_done=True,
            medical_check_at=now - timedelta(hours=hours_ago - 1),
            # Deterministic safeguards: one detainee is a 16-year-old, one still waits for
            # the ICRC to be told, so the record's warnings show in the demo.
            safeguards=services.Safeguards(
                sex="female" if n % 2 else "male",
                age_years=16 if n == 1 else 24 + 7 * n,
                age_estimated=n == 1,
                rights_read_at=held_at + timedelta(minutes=30),
                rights_language="fr",
                interpreter="not_needed",
                icrc_notified_at=None if n == 0 else held_at + timedelta(hours=2),
                family_notified_at=held_at + timedelta(hours=3) if n else None,
                notification_note="" if n else "The detainee asked that the family not be told.",
            ),
            now=now,
        )
        created += 1
    return created

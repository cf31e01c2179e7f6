"""Writes on capacity building: courses, their sessions, trainees, scores, certificates.

A trainee's unit must pass the HRDDP support gate for training
(:func:`bluebox.hrddp.selectors.support_gate`) when they are enrolled and when a certificate is
issued or reinstated; the sweep in :mod:`bluebox.engagement.jobs` suspends an issued certificate
as soon as the unit's gate closes (an adverse decision, an expiry, overdue mitigations).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.engagement.models import (
    CertificateStatus,
    Course,
    CourseSession,
    Observation,
    Sex,
    Trainee,
    TraineeResult,
)
from bluebox.engagement.services.common import TRAINING, classification_of, visible_for
from bluebox.hrddp import selectors as hrddp_selectors
from bluebox.hrddp.models import HOST_STATE_KINDS, Activity
from bluebox.missions.models import FieldSite, Mission, PartnerOrganisation


@transaction.atomic
def course_create(
    *,
    actor: Any,
    mission_id: int,
    title: str,
    topic: str = "",
    pass_mark: int = 60,
    classification: int | None = None,
) -> Course:
    mission = Mission.objects.filter(pk=mission_id).first()
    if mission is None:
        raise ServiceError("Unknown mission.", field_errors={"mission": ["Unknown mission."]})
    level = classification_of(classification, Classification.UNCLASSIFIED)
    access.require_in_scope(actor, TRAINING, "manage", mission_id=mission.pk, classification=level)
    if not title.strip():
        raise ServiceError("A course has a title.", field_errors={"title": ["Required."]})
    if not 0 <= pass_mark <= 100:
        raise ServiceError("Invalid pass mark.", field_errors={"pass_mark": ["0 to 100."]})
    course = Course.objects.create(
        mission=mission,
        classification=level,
        title=title.strip()[:200],
        topic=topic.strip(),
        pass_mark=pass_mark,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit.record_for(course, actor=actor, action="course-create")
    return course


@transaction.atomic
def course_session_create(
    *,
    actor: Any,
    course_id: int,
    starts_on: date,
    ends_on: date,
    place: str,
    trainers: str,
    site_id: int | None = None,
) -> CourseSession:
    course = visible_for(actor, Course.objects.all(), course_id, "manage")
    errors: dict[str, list[str]] = {}
    if ends_on < starts_on:
        errors["ends_on"] = ["Ends before it starts."]
    if not place.strip():
        errors["place"] = ["Required."]
    if not trainers.strip():
        errors["trainers"] = ["Name the trainers."]
    site = None
    if site_id is not None:
        site = FieldSite.objects.filter(pk=site_id, mission_id=course.mission_id).first()
        if site is None:
            errors["site"] = ["Not a site of the mission."]
    if errors:
        raise ServiceError("Invalid course session.", field_errors=errors)
    session = CourseSession(
        mission_id=course.mission_id,
        classification=course.classification,
        course=course,
        site=site,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place.strip()[:200],
        trainers=trainers.strip()[:500],
    )
    session.full_clean()
    session.save()
    audit.record_for(session, actor=actor, action="course-session-create")
    return session


def _gate(unit: PartnerOrganisation, at: datetime) -> hrddp_selectors.GateDecision:
    return hrddp_selectors.support_gate(partner_id=unit.pk, activity=Activity.TRAINING, at=at)


@transaction.atomic
def trainee_enrol(
    *,
    actor: Any,
    session_id: int,
    unit_id: int,
    name: str,
    rank: str = "",
    sex: str = Sex.UNDISCLOSED,
    pre_score: int | None = None,
    now: datetime | None = None,
) -> Trainee:
    """Enrol a host-state officer; refused, with the gate's reason, when their unit may not be
    trained (no HRDDP decision allowing it, an adverse one, overdue mitigations)."""
    session = visible_for(actor, CourseSession.objects.all(), session_id, "manage")
    now = now or timezone.now()
    unit = PartnerOrganisation.objects.filter(
        pk=unit_id, mission_id=session.mission_id, kind__in=HOST_STATE_KINDS
    ).first()
    if unit is None:
        raise ServiceError(
            "Trainees come from host-state units.",
            field_errors={"unit": ["Not a host-state unit of the mission."]},
        )
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Required."]
    if sex not in Sex.values:
        errors["sex"] = ["Unknown value."]
    if pre_score is not None and not 0 <= pre_score <= 100:
        errors["pre_score"] = ["0 to 100."]
    if errors:
        raise ServiceError("Invalid trainee.", field_errors=errors)
    gate = _gate(unit, now)
    if not gate.allowed:
        # A refusal by the gate is audited (kept past the rollback: access.record_refusal).
        raise access.refuse(
            ServiceError(
                f"{unit.name} may not be trained: {gate.reason}",
                field_errors={"unit": [gate.reason]},
            ),
            actor=actor,
            action="trainee-enrol",
            resource=TRAINING,
            object_id=f"unit:{unit.pk}",
            mission_id=session.mission_id,
            detail={"session": session.pk, "decision": gate.decision_id},
        )
    trainee = Trainee.objects.create(
        mission_id=session.mission_id,
        classification=session.classification,
        session=session,
        unit=unit,
        name=name.strip()[:200],
        rank=rank.strip()[:80],
        sex=sex,
        gate_reason=gate.reason[:500],
        gate_decision_id=gate.decision_id,
        pre_score=pre_score,
        enrolled_at=now,
        enrolled_by=actor,
    )
    audit.record_for(
        trainee,
        actor=actor,
        action="trainee-enrol",
        detail={"unit": unit.pk, "decision": gate.decision_id, "override": gate.override_id},
    )
    return trainee


@transaction.atomic
def trainee_scores(
    *,
    actor: Any,
    trainee_id: int,
    pre_score: int | None = None,
    post_score: int | None = None,
    withdrawn: bool = False,
) -> Trainee:
    """Pre- and post-test scores; the post-test decides passed or not against the pass mark."""
    trainee = visible_for(
        actor,
        Trainee.objects.select_for_update().select_related("session__course"),
        trainee_id,
        "manage",
    )
    errors: dict[str, list[str]] = {}
    for field, value in (("pre_score", pre_score), ("post_score", post_score)):
        if value is not None and not 0 <= value <= 100:
            errors[field] = ["0 to 100."]
    if errors:
        raise ServiceError("Invalid scores.", field_errors=errors)
    if trainee.certificate != CertificateStatus.NONE:
        raise ServiceError("A certified trainee's result is final.")
    if pre_score is not None:
        trainee.pre_score = pre_score
    if withdrawn:
        trainee.result = TraineeResult.WITHDRAWN
    elif post_score is not None:
        trainee.post_score = post_score
        passed = post_score >= trainee.session.course.pass_mark
        trainee.result = TraineeResult.PASSED if passed else TraineeResult.FAILED
    trainee.save(update_fields=["pre_score", "post_score", "result"])
    audit.record_for(
        trainee,
        actor=actor,
        action="trainee-scores",
        detail={"pre": trainee.pre_score, "post": trainee.post_score, "result": trainee.result},
    )
    return trainee


@transaction.atomic
def certificate_issue(*, actor: Any, trainee_id: int, now: datetime | None = None) -> Trainee:
    """Certify a trainee who passed, if their unit still passes the gate (or reinstate one
    suspended, once it does again)."""
    trainee = visible_for(
        actor, Trainee.objects.select_for_update().select_related("unit"), trainee_id, "manage"
    )
    now = now or timezone.now()
    if trainee.result != TraineeResult.PASSED:
        raise ServiceError("Only a trainee who passed the post-test is certified.")
    if trainee.certificate == CertificateStatus.ISSUED:
        raise ServiceError("The certificate is already issued.")
    gate = _gate(trainee.unit, now)
    if not gate.allowed:
        raise ServiceError(f"{trainee.unit.name} may not be trained: {gate.reason}")
    reinstated = trainee.certificate == CertificateStatus.SUSPENDED
    trainee.certificate = CertificateStatus.ISSUED
    trainee.certificate_at = now
    trainee.suspension_reason = ""
    trainee.save(update_fields=["certificate", "certificate_at", "suspension_reason"])
    audit.record_for(
        trainee,
        actor=actor,
        action="certificate-reinstate" if reinstated else "certificate-issue",
        detail={"decision": gate.decision_id},
    )
    return trainee


@transaction.atomic
def observation_add(
    *, actor: Any, trainee_id: int, observed_on: date, rating: int, note: str
) -> Observation:
    """What a follow-up visit saw of the trainee at work (1: not applied, 5: fully)."""
    trainee = visible_for(actor, Trainee.objects.select_related("session"), trainee_id, "manage")
    errors: dict[str, list[str]] = {}
    if not 1 <= rating <= 5:
        errors["rating"] = ["1 to 5."]
    if not note.strip():
        errors["note"] = ["What was observed?"]
    if observed_on < trainee.session.starts_on:
        errors["observed_on"] = ["On or after the course started."]
    if errors:
        raise ServiceError("Invalid observation.", field_errors=errors)
    observation = Observation(
        mission_id=trainee.mission_id,
        classification=trainee.classification,
        trainee=trainee,
        observed_on=observed_on,
        rating=rating,
        note=note.strip(),
        observed_by=actor,
    )
    observation.full_clean()
    observation.save()
    audit.record_for(observation, actor=actor, action="trainee-observe", detail={"rating": rating})
    return observation

"""Writes on dialogues: create, move through phases, participants, do-no-harm checks, sessions.

A session is recorded whole (its do-no-harm check, attendance counts, problems raised and the
commitments made) in one transaction: all of it or nothing, with the field that was wrong named.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from bluebox.core import audit
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.engagement.models import (
    PHASE_ORDER,
    AgeBand,
    Attendance,
    Commitment,
    CommitmentStatus,
    CommitmentUpdate,
    Dialogue,
    HarmCheck,
    HarmOutcome,
    Level,
    OwnerKind,
    Participant,
    Phase,
    Problem,
    Session,
    Sex,
    StakeholderGroup,
)
from bluebox.engagement.services.common import (
    RESOURCE,
    classification_of,
    contact_reveal,
    mission_organisation,
    mission_person,
    phone_of,
    place,
    pseudonym,
    require_new,
    require_on,
    scope_of,
    visible_for,
)
from bluebox.incidents.models import IncidentType
from bluebox.missions.models import FieldSite

MAX_ROWS = 200


def _text(value: str, field: str, errors: dict[str, list[str]], *, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        errors.setdefault(field, []).append("Required.")
    return cleaned


@transaction.atomic
def dialogue_create(
    *,
    actor: Any,
    mission_id: int,
    title: str,
    community: str,
    started_on: date,
    stakeholder_groups: list[str],
    site_id: int | None = None,
    sector_id: int | None = None,
    facilitator_id: int | None = None,
    facilitator_name: str = "",
    objective: str = "",
    classification: int | None = None,
    sms_channel_id: int | None = None,
) -> Dialogue:
    """Open a dialogue in a community (preparation and consultations come first)."""
    mission, sector, site = place(mission_id=mission_id, site_id=site_id, sector_id=sector_id)
    level = classification_of(classification, Classification.CONFIDENTIAL)
    require_new(actor, "manage", mission=mission, sector=sector, site=site, classification=level)
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", errors)
    community = _text(community, "community", errors)
    groups = list(dict.fromkeys(stakeholder_groups or []))
    if not groups:
        errors["stakeholder_groups"] = ["Name at least one stakeholder group."]
    elif any(g not in StakeholderGroup.values for g in groups):
        errors["stakeholder_groups"] = ["Unknown stakeholder group."]
    facilitator = None
    if facilitator_id is not None:
        try:
            facilitator = mission_organisation(mission.pk, facilitator_id, "facilitator")
        except ServiceError as exc:
            errors.update(exc.field_errors)
    channel_id = None
    if sms_channel_id is not None:
        from bluebox.alerts.models import Channel

        channel = Channel.objects.filter(pk=sms_channel_id, mission=mission).first()
        if channel is None:
            errors["sms_channel"] = ["Not an SMS channel of the mission."]
        else:
            channel_id = channel.pk
    if errors:
        raise ServiceError("Invalid dialogue.", field_errors=errors)
    dialogue = Dialogue(
        mission=mission,
        sector=sector,
        site=site,
        classification=level,
        title=title[:200],
        community=community[:200],
        facilitator=facilitator,
        facilitator_name=facilitator_name.strip()[:200],
        stakeholder_groups=groups,
        objective=objective.strip(),
        started_on=started_on,
        sms_channel_id=channel_id,
        created_by=actor,
        created_at=timezone.now(),
    )
    dialogue.full_clean()
    dialogue.save()
    audit.record_for(
        dialogue, actor=actor, action="dialogue-create", detail={"groups": len(groups)}
    )
    return dialogue


@transaction.atomic
def dialogue_phase(*, actor: Any, dialogue_id: int, phase: str, note: str = "") -> Dialogue:
    """Move a dialogue to another phase; going back needs a reason (written to the audit)."""
    dialogue = visible_for(actor, Dialogue.objects.select_for_update(), dialogue_id, "manage")
    if phase not in Phase.values:
        raise ServiceError("Unknown phase.", field_errors={"phase": ["Unknown phase."]})
    if phase == dialogue.phase:
        raise ServiceError("The dialogue is already in this phase.")
    backwards = PHASE_ORDER.index(phase) < PHASE_ORDER.index(dialogue.phase)
    if backwards and len(note.strip()) < 10:
        raise ServiceError(
            "Going back a phase needs a reason.",
            field_errors={"note": ["Say why (at least 10 characters)."]},
        )
    before = dialogue.phase
    dialogue.phase = phase
    dialogue.save(update_fields=["phase"])
    audit.record_for(
        dialogue,
        actor=actor,
        action="dialogue-phase",
        detail={"from": before, "to": phase, "note": note.strip()[:300]},
    )
    return dialogue


@transaction.atomic
def participant_add(
    *,
    actor: Any,
    dialogue_id: int,
    group: str,
    sex: str = Sex.UNDISCLOSED,
    age_band: str = "",
    consented_to_name: bool = False,
    name: str = "",
    phone: str = "",
    sms_opt_in: bool = False,
    user_id: int | None = None,
) -> Participant:
    """A participant who follows the dialogue: counted by group, named only with consent, and
    reachable by SMS only when they asked for it."""
    dialogue = visible_for(actor, Dialogue.objects.all(), dialogue_id, "manage")
    errors: dict[str, list[str]] = {}
    if group not in StakeholderGroup.values:
        errors["group"] = ["Unknown stakeholder group."]
    if sex not in Sex.values:
        errors["sex"] = ["Unknown value."]
    if age_band and age_band not in AgeBand.values:
        errors["age_band"] = ["Unknown age band."]
    name = name.strip()
    if name and not consented_to_name:
        errors["name"] = ["A name is kept only when the participant consents."]
    number, digest = "", ""
    if phone.strip():
        if not sms_opt_in:
            errors["phone"] = ["A number is kept only for follow-up messages they asked for."]
        else:
            try:
                number, digest = phone_of(dialogue.mission, phone)
            except ServiceError as exc:
                errors.update(exc.field_errors)
    elif sms_opt_in:
        errors["phone"] = ["Follow-up by SMS needs a number."]
    try:
        user = mission_person(dialogue.mission_id, user_id, "user")
    except ServiceError as exc:
        errors.update(exc.field_errors)
        user = None
    if errors:
        raise ServiceError("Invalid participant.", field_errors=errors)
    participant = Participant.objects.create(
        **scope_of(dialogue),
        classification=dialogue.classification,
        dialogue=dialogue,
        pseudonym=pseudonym("P"),
        group=group,
        sex=sex,
        age_band=age_band,
        consented_to_name=consented_to_name,
        name=name[:200],
        phone=number,
        phone_digest=digest,
        sms_opt_in=bool(number),
        user=user,
        added_at=timezone.now(),
    )
    audit.record_for(
        participant,
        actor=actor,
        action="participant-add",
        detail={
            "dialogue": dialogue.pk,
            "pseudonym": participant.pseudonym,
            "named": bool(name),
            "sms": bool(number),
            "inbox": user is not None,
        },
    )
    return participant


@transaction.atomic
def participant_opt_out(*, actor: Any, participant_id: int) -> Participant:
    """The participant asked, through the team, for no more follow-up messages."""
    participant = visible_for(
        actor, Participant.objects.select_for_update(), participant_id, "manage"
    )
    if participant.opted_out_at is not None:
        raise ServiceError("This participant has already opted out.")
    participant.opted_out_at = timezone.now()
    participant.save(update_fields=["opted_out_at"])
    audit.record_for(
        participant,
        actor=actor,
        action="participant-opt-out",
        detail={"pseudonym": participant.pseudonym},
    )
    return participant


@transaction.atomic
def participant_reveal(*, actor: Any, participant_id: int, purpose: str) -> dict[str, str]:
    """A participant's name and number, to the engagement team, for a stated purpose."""
    return contact_reveal(
        actor,
        Participant.objects.all(),
        participant_id,
        purpose=purpose,
        audit_action="participant-reveal",
    )


def _harm_fields(harm: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    exposed = str(harm.get("exposed", "")).strip()
    how = str(harm.get("how", "")).strip()
    measures = str(harm.get("measures", "")).strip()
    risk = str(harm.get("risk", ""))
    outcome = str(harm.get("outcome", ""))
    if not exposed:
        errors["harm_exposed"] = [
            "Who could be exposed? (\u201cnobody identified\u201d is an answer)."
        ]
    if not how:
        errors["harm_how"] = ["How could they be exposed?"]
    if risk not in Level.values:
        errors["harm_risk"] = ["Unknown level."]
    if outcome not in HarmOutcome.values:
        errors["harm_outcome"] = ["Unknown outcome."]
    if outcome == HarmOutcome.PROCEED_WITH_MEASURES and not measures:
        errors["harm_measures"] = ["Going ahead with measures: say which."]
    if risk == Level.HIGH and outcome == HarmOutcome.PROCEED:
        errors["harm_outcome"] = ["A high risk cannot go ahead without measures."]
    return {"exposed": exposed, "how": how, "measures": measures, "risk": risk, "outcome": outcome}


@transaction.atomic
def harm_check_record(
    *, actor: Any, dialogue_id: int, contact: str, harm: dict[str, Any]
) -> HarmCheck:
    """Do no harm before a community contact outside a session (a visit, a meeting)."""
    dialogue = visible_for(actor, Dialogue.objects.all(), dialogue_id, "manage")
    errors: dict[str, list[str]] = {}
    if not contact.strip():
        errors["contact"] = ["Which contact is this check for?"]
    fields = _harm_fields(harm, errors)
    if errors:
        raise ServiceError("Invalid do-no-harm check.", field_errors=errors)
    check = HarmCheck.objects.create(
        **scope_of(dialogue),
        classification=dialogue.classification,
        dialogue=dialogue,
        contact=contact.strip()[:200],
        checked_at=timezone.now(),
        checked_by=actor,
        **fields,
    )
    audit.record_for(
        check,
        actor=actor,
        action="harm-check",
        detail={"dialogue": dialogue.pk, "risk": fields["risk"], "outcome": fields["outcome"]},
    )
    return check


def _attendance(rows: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    if len(rows) > MAX_ROWS:
        errors["attendance"] = [f"At most {MAX_ROWS} rows."]
        return []
    cells: dict[tuple[str, str, str], int] = {}
    for n, row in enumerate(rows):
        group, sex = str(row.get("group", "")), str(row.get("sex", ""))
        band = str(row.get("age_band", "") or "")
        count = row.get("count")
        if (
            group not in StakeholderGroup.values
            or sex not in Sex.values
            or (band and band not in AgeBand.values)
        ):
            errors[f"attendance[{n}]"] = ["Unknown group, sex or age band."]
            continue
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 100000:
            errors[f"attendance[{n}]"] = ["A count from 0 to 100000."]
            continue
        key = (group, sex, band)
        if key in cells:
            errors[f"attendance[{n}]"] = ["This group, sex and age band is counted twice."]
            continue
        cells[key] = count
    if not errors and not any(cells.values()):
        errors["attendance"] = ["Count who attended (by group and sex)."]
    return [
        {"group": g, "sex": s, "age_band": b, "count": c} for (g, s, b), c in cells.items() if c
    ]


def _problems(
    rows: list[dict[str, Any]], mission_id: int, errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    cleaned = []
    for n, row in enumerate(rows[: MAX_ROWS + 1]):
        description = str(row.get("description", "")).strip()
        kind = str(row.get("incident_type", "") or "")
        site_id = row.get("area_site")
        if not description:
            errors[f"problems[{n}]"] = ["Describe the problem."]
            continue
        if kind and kind not in IncidentType.values:
            errors[f"problems[{n}]"] = ["Unknown incident type."]
            continue
        site = None
        if site_id is not None:
            site = FieldSite.objects.filter(pk=site_id, mission_id=mission_id).first()
            if site is None:
                errors[f"problems[{n}]"] = ["Not a site of the mission."]
                continue
        cleaned.append(
            {
                "description": description,
                "root_cause": str(row.get("root_cause", "")).strip(),
                "incident_type": kind,
                "area_site": site,
            }
        )
    if len(rows) > MAX_ROWS:
        errors["problems"] = [f"At most {MAX_ROWS} problems."]
    return cleaned


def _owner(
    row: dict[str, Any], kind: str, mission_id: int, field: str, problems: list[str]
) -> dict[str, Any]:
    """Who made a commitment: a person of the mission, one of its organisations, or a body
    without an account."""
    owner: dict[str, Any] = {"owner_kind": kind}
    if kind == OwnerKind.USER:
        if row.get("owner_user") is None:
            problems.append("Choose the person.")
            return owner
        try:
            owner["owner_user"] = mission_person(mission_id, row.get("owner_user"), field)
        except ServiceError:
            problems.append("No such person in this mission.")
    elif kind == OwnerKind.ORGANISATION:
        if row.get("owner_organisation") is None:
            problems.append("Choose the unit or organisation.")
            return owner
        try:
            owner["owner_organisation"] = mission_organisation(
                mission_id, row.get("owner_organisation"), field
            )
        except ServiceError:
            problems.append("Not an organisation of the mission.")
    elif kind == OwnerKind.EXTERNAL:
        external = str(row.get("owner_external", "")).strip()
        if not external:
            problems.append("Name the external body (a mayor's office, a police station...).")
        owner["owner_external"] = external[:200]
    else:
        problems.append("Who made the commitment: a person, a unit or an external body.")
    return owner


def commitment_fields(
    row: dict[str, Any], *, mission_id: int, held_on: date, field: str, errors: dict[str, list[str]]
) -> dict[str, Any] | None:
    """One commitment's owner, due date and first status, checked against the mission."""
    text = str(row.get("text", "")).strip()
    kind = str(row.get("owner_kind", ""))
    due_on = row.get("due_on")
    status = str(row.get("status") or CommitmentStatus.AGREED)
    problems: list[str] = []
    if not text:
        problems.append("Say what was committed.")
    if not isinstance(due_on, date):
        problems.append("A due date.")
    elif due_on < held_on:
        problems.append("Due on or after the session.")
    if status not in (CommitmentStatus.PROPOSED, CommitmentStatus.AGREED):
        problems.append("A new commitment is proposed or agreed.")
    owner = _owner(row, kind, mission_id, field, problems)
    level = row.get("classification", Classification.UNCLASSIFIED)
    if level not in Classification.values:
        problems.append("Unknown classification.")
    if problems:
        errors[field] = problems
        return None
    return {"text": text, "due_on": due_on, "status": status, "classification": level, **owner}


def _check_held_on(
    dialogue: Dialogue, held_on: date, now: datetime, errors: dict[str, list[str]]
) -> None:
    if not isinstance(held_on, date):
        errors["held_on"] = ["A date."]
    elif held_on < dialogue.started_on:
        errors["held_on"] = ["On or after the dialogue started."]
    elif held_on > now.astimezone(ZoneInfo(dialogue.mission.timezone)).date():
        errors["held_on"] = ["A session is recorded once it was held."]


@transaction.atomic
def session_record(
    *,
    actor: Any,
    dialogue_id: int,
    held_on: date,
    place: str,
    harm: dict[str, Any],
    attendance: list[dict[str, Any]],
    agenda: str = "",
    minutes: str = "",
    problems: list[dict[str, Any]] | None = None,
    commitments: list[dict[str, Any]] | None = None,
    classification: int | None = None,
    now: datetime | None = None,
) -> Session:
    """Record a session: its do-no-harm check first (a postponed one records nothing), the
    attendance by group, sex and age band, the problems and root causes, and the commitments."""
    dialogue = visible_for(actor, Dialogue.objects.select_for_update(), dialogue_id, "manage")
    level = classification_of(classification, dialogue.classification)
    require_on(actor, "manage", dialogue, classification=level)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if dialogue.phase == Phase.CLOSED:
        raise ServiceError("This dialogue is closed.")
    _check_held_on(dialogue, held_on, now, errors)
    place = _text(place, "place", errors)
    harm_fields = _harm_fields(harm, errors)
    if harm_fields["outcome"] == HarmOutcome.POSTPONE:
        errors["harm_outcome"] = [
            "The do-no-harm check says postpone: the session is not recorded as held."
        ]
    counts = _attendance(attendance, errors)
    found = _problems(problems or [], dialogue.mission_id, errors)
    made = []
    for n, row in enumerate((commitments or [])[: MAX_ROWS + 1]):
        if isinstance(held_on, date):
            fields = commitment_fields(
                row,
                mission_id=dialogue.mission_id,
                held_on=held_on,
                field=f"commitments[{n}]",
                errors=errors,
            )
            if fields is not None:
                made.append(fields)
    if errors:
        raise ServiceError("The session was not recorded.", field_errors=errors)
    scope = scope_of(dialogue)
    check = HarmCheck.objects.create(
        **scope,
        classification=level,
        dialogue=dialogue,
        checked_at=now,
        checked_by=actor,
        **harm_fields,
    )
    session = Session(
        **scope,
        classification=level,
        dialogue=dialogue,
        harm_check=check,
        held_on=held_on,
        place=place[:200],
        agenda=agenda.strip(),
        minutes=minutes.strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    session.full_clean()
    session.save()
    for cell in counts:
        Attendance.objects.create(**scope, classification=level, session=session, **cell)
    for problem in found:
        Problem.objects.create(**scope, classification=level, session=session, **problem)
    for fields in made:
        for_level = fields.pop("classification")
        require_on(actor, "manage", dialogue, classification=for_level)
        commitment = Commitment.objects.create(
            **scope,
            classification=for_level,
            dialogue=dialogue,
            session=session,
            status_at=now,
            created_at=now,
            created_by=actor,
            **fields,
        )
        CommitmentUpdate.objects.create(
            **scope,
            classification=for_level,
            commitment=commitment,
            from_status="",
            to_status=commitment.status,
            evidence=f"Made in the session of {held_on:%Y-%m-%d}.",
            changed_at=now,
            changed_by=actor,
        )
    if dialogue.phase == Phase.PREPARATION:
        dialogue.phase = Phase.SESSIONS
        dialogue.save(update_fields=["phase"])
    audit.record_for(
        session,
        actor=actor,
        action="session-record",
        detail={
            "dialogue": dialogue.pk,
            "attendance": sum(c["count"] for c in counts),
            "problems": len(found),
            "commitments": len(made),
            "harm_risk": harm_fields["risk"],
        },
    )
    return session


@transaction.atomic
def problem_add(
    *,
    actor: Any,
    session_id: int,
    description: str,
    root_cause: str = "",
    incident_type: str = "",
    area_site_id: int | None = None,
) -> Problem:
    session = visible_for(actor, Session.objects.all(), session_id, "manage")
    errors: dict[str, list[str]] = {}
    row = {
        "description": description,
        "root_cause": root_cause,
        "incident_type": incident_type,
        "area_site": area_site_id,
    }
    found = _problems([row], session.mission_id, errors)
    if errors or not found:
        raise ServiceError("Invalid problem.", field_errors=errors)
    fields = found[0]
    problem = Problem.objects.create(
        **scope_of(session), classification=session.classification, session=session, **fields
    )
    audit.record_for(problem, actor=actor, action="problem-add", detail={"session": session.pk})
    return problem


__all__ = [
    "RESOURCE",
    "commitment_fields",
    "dialogue_create",
    "dialogue_phase",
    "harm_check_record",
    "participant_add",
    "participant_opt_out",
    "participant_reveal",
    "problem_add",
    "session_record",
]

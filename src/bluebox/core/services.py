"""Writes on accounts, roles and records. Each is atomic and leaves an audit entry.

Accounts, role assignments, compartment grants and API tokens change only here, whichever page,
command or admin form asks; the rules that keep the administrator away from operational content
live here too (see :func:`_require_may_grant`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from bluebox.core import access, audit, auth, mfa, people_import
from bluebox.core.auth import TOKEN_PREFIX, token_digest
from bluebox.core.classification import Compartment
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.core.models import (
    ApiToken,
    CompartmentGrant,
    RevealAlert,
    RoleAssignment,
    User,
    VoidableRecord,
)
from bluebox.core.roles import OPERATIONAL_ROLES, Resource, Role

MAX_TOKEN_DAYS = 366


# --- who may manage accounts --------------------------------------------------------------------


def _is_operator(actor: Any) -> bool:
    """The person at the server's command line (``audit.as_operator``), not a signed-in user."""
    return actor is None and audit.operator() is not None


def _may_manage_accounts(actor: Any) -> bool:
    """Administrators (the admin role anywhere, or a superuser) and the operator."""
    if _is_operator(actor):
        return True
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return bool(actor.is_superuser or access.grants(actor, Resource.ACCOUNT, "manage"))


def _require_account_manager(actor: Any, action: str, user: User | None = None) -> None:
    if not _may_manage_accounts(actor):
        raise access.refuse(
            NotPermitted("only an administrator manages accounts"),
            actor=actor,
            action=action,
            resource=Resource.ACCOUNT,
            object_id=user.pk if user is not None else "",
        )


def _controllers(user: User) -> set[int]:
    """The account and everyone who set its password, and theirs, and so on: whoever may know a
    password to it, directly or through an account they control."""
    seen: set[int] = set()
    current: User | None = user
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        current = current.credentials_set_by
    return seen


def _holds_operational_access(user: User) -> bool:
    return (
        RoleAssignment.objects.filter(user=user, role__in=list(OPERATIONAL_ROLES)).exists()
        or CompartmentGrant.objects.filter(user=user, revoked_at__isnull=True).exists()
    )


def _refuse_grant(actor: Any, user: User, action: str, reason: str, **detail: Any) -> Exception:
    return access.refuse(
        NotPermitted(reason),
        actor=actor,
        action=action,
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        detail={**detail, "rule": reason},
    )


def _require_may_grant(actor: Any, user: User, *, action: str, operational: bool) -> None:
    """The rules no policy row can express, each closing one way to reach operational content.

    - nobody grants anything to themselves;
    - an account holding the admin role holds no operational role or compartment, and the
      reverse: otherwise two administrators grant each other what they may not grant themselves;
    - whoever set an account's password (or controls an account that did) grants it no
      operational role or compartment: otherwise an administrator creates an account, or resets
      one, and grants it what they want. The same holds through an account they control, such
      as a second administrator account they created.
    """
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise _refuse_grant(
            actor, user, action, "nobody grants a role or compartment to themselves"
        )
    if operational:
        if RoleAssignment.objects.filter(user=user, role=Role.ADMIN).exists():
            raise _refuse_grant(
                actor, user, action, "an administrator holds no operational role or compartment"
            )
        if actor is not None and _controllers(actor) & _controllers(user):
            raise _refuse_grant(
                actor,
                user,
                action,
                "whoever set an account's password grants it no operational role or compartment",
            )
    elif _holds_operational_access(user):
        raise _refuse_grant(
            actor, user, action, "an account with operational roles cannot be an administrator"
        )


# --- accounts -----------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    display_name: str = "",
    email: str = "",
    access_ends_on: date | None = None,
) -> User:
    """Create an account; its creator knows its first password (see :func:`_require_may_grant`),
    so its holder chooses their own at the first sign-in. ``access_ends_on`` is its last day
    (the end of rotation)."""
    _require_account_manager(actor, "user-create")
    if not username.strip():
        raise ServiceError("A username is required.", field_errors={"username": ["Required."]})
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError("An account with this username already exists.")
    _require_future(access_ends_on)
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        must_change_password=True,
        access_ends_on=access_ends_on,
    )
    user.set_password(password)
    user.credentials_set_by = actor if getattr(actor, "pk", None) else None
    user.full_clean(exclude=["password", "credentials_set_by"])
    user.save()
    audit.record(
        actor=actor,
        action="user-create",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        detail={"access_ends_on": access_ends_on.isoformat() if access_ends_on else ""},
    )
    return user


def _require_future(ends_on: date | None) -> None:
    if ends_on is not None and ends_on < timezone.now().date():
        raise ServiceError(
            "The last day of access is already past.",
            field_errors={"access_ends_on": ["Today or later."]},
        )


@transaction.atomic
def user_access_end_set(*, actor: Any, user: User, ends_on: date | None, reason: str) -> bool:
    """Set, move or remove an account's last day (an extended rotation, an early departure).

    An account whose access had ended opens again with a day still to come; its tokens stay
    revoked (its holder makes new ones). Nobody moves their own. Returns whether it changed.
    """
    _require_account_manager(actor, "access-end-set", user)
    if getattr(actor, "pk", None) == user.pk:
        raise _refuse_grant(
            actor, user, "access-end-set", "nobody changes the end of their own access"
        )
    if not reason.strip():
        raise ServiceError("A reason is required.", field_errors={"reason": ["Required."]})
    _require_future(ends_on)
    if user.access_ends_on == ends_on:
        return False
    before = user.access_ends_on
    user.access_ends_on = ends_on
    user.access_ended_at = None
    user.save(update_fields=["access_ends_on", "access_ended_at"])
    audit.record(
        actor=actor,
        action="access-end-set",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        detail={
            "from": before.isoformat() if before else "",
            "to": ends_on.isoformat() if ends_on else "",
            "reason": reason.strip()[:200],
        },
    )
    return True


@transaction.atomic
def user_access_end(*, user: User, today: date) -> dict[str, int]:
    """The system ends an account at the end of its last day: its sessions and tokens end now,
    not at their next use (the expiry sweep, :func:`bluebox.core.jobs.expire_accounts`)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.access_ended_at is not None or not auth.access_ended(locked, today=today):
        return {}
    locked.access_ended_at = timezone.now()
    locked.save(update_fields=["access_ended_at"])
    done = {"sessions_ended": _end_sessions(locked), "tokens_revoked": _revoke_tokens(locked)}
    audit.record(
        actor=None,
        action="access-ended",
        resource=Resource.ACCOUNT,
        object_id=locked.pk,
        detail={**done, "last_day": str(locked.access_ends_on)},
    )
    return done


@transaction.atomic
def user_change(*, actor: Any, user: User, **fields: Any) -> User:
    """Change an account's name, e-mail, language or staff flags (never roles, never is_active)."""
    allowed = {"username", "display_name", "email", "preferred_language", "is_staff"}
    if not actor_is_superuser(actor):
        allowed.discard("is_staff")
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError(f"These fields are not changed here: {', '.join(sorted(unknown))}.")
    _require_account_manager(actor, "user-change", user)
    changed = sorted(name for name, value in fields.items() if getattr(user, name) != value)
    if not changed:
        return user
    for name in changed:
        setattr(user, name, fields[name])
    user.save(update_fields=changed)
    audit.record(
        actor=actor,
        action="user-change",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        detail={"fields": changed},
    )
    return user


@transaction.atomic
def user_language_set(*, actor: Any, language: str) -> bool:
    """A person's own choice of language, kept on their account so every page speaks it,
    whatever the address they open. Returns whether it changed."""
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        raise ServiceError(
            "Unknown language.", field_errors={"language": [f"One of {', '.join(sorted(codes))}."]}
        )
    if actor.preferred_language == language:
        return False
    actor.preferred_language = language
    actor.save(update_fields=["preferred_language"])
    audit.record(
        actor=actor,
        action="language-set",
        resource=Resource.ACCOUNT,
        object_id=actor.pk,
        detail={"language": language},
    )
    return True


def actor_is_superuser(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False)) or _is_operator(actor)


@transaction.atomic
def user_password_set(*, actor: Any, user: User, password: str | None) -> None:
    """Set another person's password (a reset), or one's own.

    A reset by someone else ends the account's sessions and tokens, takes away its operational
    roles and compartments (to be granted again by someone who did not set the password), and
    records who set it: otherwise resetting a source handler's password would be a way in. The
    holder then chooses their own password at the next sign-in (``must_change_password``);
    their own change clears that, and must not keep the password they were given.
    ``password=None`` turns password login off for the account.
    """
    own = getattr(actor, "pk", None) == user.pk
    if not own:
        _require_account_manager(actor, "password-reset", user)
    elif password is not None and user.check_password(password):
        raise ServiceError(
            "Choose a new password, not the one you have now.",
            field_errors={"new_password1": ["The same as the current password."]},
        )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    withdrawn: list[str] = []
    if not own:
        user.credentials_set_by = actor if getattr(actor, "pk", None) else None
        withdrawn = _withdraw_operational_access(user)
    user.must_change_password = not own and password is not None
    user.save(update_fields=["password", "credentials_set_by", "must_change_password"])
    ended = _end_sessions(user) if not own else 0
    tokens = _revoke_tokens(user) if not own else 0
    audit.record(
        actor=actor,
        action="password-change" if own else "password-reset",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        detail={"sessions_ended": ended, "tokens_revoked": tokens, "withdrawn": withdrawn},
    )


def _withdraw_operational_access(user: User) -> list[str]:
    withdrawn = []
    for assignment in RoleAssignment.objects.filter(user=user, role__in=list(OPERATIONAL_ROLES)):
        withdrawn.append(f"{assignment.role} @ {assignment.scope_label}")
        assignment.delete()
    now = timezone.now()
    for grant in CompartmentGrant.objects.filter(user=user, revoked_at__isnull=True):
        withdrawn.append(f"compartment {grant.get_compartment_display()} @ {grant.mission_id}")
        grant.revoked_at = now
        grant.save(update_fields=["revoked_at"])
    access.forget(user)
    return withdrawn


def _end_sessions(user: User) -> int:
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def _revoke_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def user_disable(*, actor: Any, user: User, reason: str) -> int:
    """Disable an account and end every session and API token it holds at once."""
    _require_account_manager(actor, "user-disable", user)
    if not reason.strip():
        raise ServiceError(
            "A reason is required to disable an account.", field_errors={"reason": ["Required."]}
        )
    if getattr(actor, "pk", None) == user.pk:
        raise ServiceError("You cannot disable your own account.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_sessions(user)
    tokens = _revoke_tokens(user)
    audit.record(
        actor=actor,
        action="user-disable",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        detail={"sessions_ended": ended, "tokens_revoked": tokens, "reason": reason.strip()[:200]},
    )
    return ended


@transaction.atomic
def user_enable(*, actor: Any, user: User, reason: str) -> User:
    """Enable a disabled account again (never one's own: that would undo a colleague's decision)."""
    _require_account_manager(actor, "user-enable", user)
    if getattr(actor, "pk", None) == user.pk:
        raise _refuse_grant(actor, user, "user-enable", "nobody enables their own account")
    if not reason.strip():
        raise ServiceError(
            "A reason is required to enable an account.", field_errors={"reason": ["Required."]}
        )
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="user-enable",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        detail={"reason": reason.strip()[:200]},
    )
    return user


# --- roles and compartments ---------------------------------------------------------------------


def _now_requires(user: User, was_required: bool) -> dict[str, int]:
    """A grant that makes a second factor required ends the sessions and tokens opened without
    one: the person signs in again, through the second factor (enrolling one if they have none)."""
    if was_required or not mfa.required_for(user):
        return {}
    return {"sessions_ended": _end_sessions(user), "tokens_revoked": _revoke_tokens(user)}


@transaction.atomic
def role_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    mission: Any,
    sector: Any = None,
    site: Any = None,
) -> RoleAssignment:
    """Give ``user`` a role in one scope (a mission, one of its sectors, or one of its sites)."""
    _require_account_manager(actor, "role-grant", user)
    if role not in Role.values:
        raise ServiceError(f"Unknown role {role!r}.", field_errors={"role": ["Unknown role."]})
    _require_may_grant(actor, user, action="role-grant", operational=role != Role.ADMIN)
    if role == Role.AUDITOR and RoleAssignment.objects.filter(user=user, role=Role.ADMIN).exists():
        raise _refuse_grant(actor, user, "role-grant", "an administrator does not audit themselves")
    assignment = RoleAssignment(user=user, role=role, mission=mission, sector=sector, site=site)
    assignment.full_clean()
    was_required = mfa.required_for(user)
    assignment.save()
    access.forget(user)
    audit.record(
        actor=actor,
        action="role-grant",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        mission_id=mission.pk,
        detail={"role": role, "scope": assignment.scope_label, **_now_requires(user, was_required)},
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    """Take one role assignment away (one's own too: giving up a role widens nothing)."""
    _require_account_manager(actor, "role-revoke", assignment.user)
    detail = {"role": assignment.role, "scope": assignment.scope_label}
    user, mission_id = assignment.user, assignment.mission_id
    assignment.delete()
    access.forget(user)
    audit.record(
        actor=actor,
        action="role-revoke",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        mission_id=mission_id,
        detail=detail,
    )


@transaction.atomic
def compartment_grant(
    *, actor: Any, user: User, mission: Any, compartment: int, reason: str
) -> CompartmentGrant:
    """Need-to-know access to one compartment in one mission, with the reason recorded."""
    _require_account_manager(actor, "compartment-grant", user)
    if compartment not in Compartment.values:
        raise ServiceError(
            "Unknown compartment.", field_errors={"compartment": ["Unknown compartment."]}
        )
    if not reason.strip():
        raise ServiceError("A reason is required.", field_errors={"reason": ["Required."]})
    _require_may_grant(actor, user, action="compartment-grant", operational=True)
    if actor is None or not getattr(actor, "pk", None):
        raise ServiceError("A compartment is granted by a named person.")
    was_required = mfa.required_for(user)
    grant = CompartmentGrant.objects.create(
        user=user, mission=mission, compartment=compartment, reason=reason.strip(), granted_by=actor
    )
    access.forget(user)
    audit.record(
        actor=actor,
        action="compartment-grant",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        mission_id=mission.pk,
        detail={
            "compartment": Compartment(compartment).label,
            "grant": grant.pk,
            **_now_requires(user, was_required),
        },
    )
    return grant


@transaction.atomic
def compartment_revoke(*, actor: Any, grant: CompartmentGrant) -> CompartmentGrant:
    _require_account_manager(actor, "compartment-revoke", grant.user)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        access.forget(grant.user)
        audit.record(
            actor=actor,
            action="compartment-revoke",
            resource=Resource.ACCOUNT,
            object_id=grant.user_id,
            mission_id=grant.mission_id,
            detail={"grant": grant.pk},
        )
    return grant


# --- API tokens ---------------------------------------------------------------------------------


@transaction.atomic
def token_create(
    *, actor: Any, user: User, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new API token for ``actor``'s own account; the key is returned once and never stored.

    Nobody creates a token for someone else, administrators and operators included: a token is
    a person's credential.
    """
    if actor is None or getattr(actor, "pk", None) != user.pk or not user.is_active:
        raise access.refuse(
            NotPermitted("an API token is created by its holder only"),
            actor=actor,
            action="token-create",
            resource=Resource.ACCOUNT,
            object_id=user.pk,
        )
    if user.must_change_password:
        # Else the password someone else set would open the API without the change.
        raise ServiceError(
            "Choose your own password on the password page before asking for a token."
        )
    days = settings.API_TOKEN_TTL_DAYS if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ServiceError(
            f"A token lasts 1 to {MAX_TOKEN_DAYS} days.",
            field_errors={"days": [f"1 to {MAX_TOKEN_DAYS}."]},
        )
    label = name.strip()[:100] or "API token"
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=label,
        digest=token_digest(key),
        prefix=key[:12],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit.record(
        actor=actor,
        action="token-create",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        detail={"token": token.pk, "expires_at": token.expires_at.isoformat()},
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: Any, token_id: int) -> ApiToken:
    """Revoke a token: one's own, or anyone's for an administrator or the operator."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    own = token is not None and getattr(actor, "pk", None) == token.user_id
    if token is None or not (own or _may_manage_accounts(actor)):
        raise access.refuse_lookup(
            actor,
            ApiToken.objects.none(),
            action="token-revoke",
            resource=Resource.ACCOUNT,
            pk=token_id,
        )
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="token-revoke",
            resource=Resource.ACCOUNT,
            object_id=token.user_id,
            detail={"token": token.pk},
        )
    return token


@transaction.atomic
def reveal_alert_acknowledge(*, actor: Any, alert_id: int, note: str) -> RevealAlert:
    """A commander acknowledges a reveal-rate alert with what they did about it."""
    alert = access.get_visible(
        actor, RevealAlert.objects.select_for_update(), action="acknowledge", pk=alert_id
    )
    if not note.strip():
        raise ServiceError("Say what was checked or done.", field_errors={"note": ["Required."]})
    if alert.acknowledged_at is not None:
        raise ServiceError("This alert is already acknowledged.")
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.note = note.strip()[:1000]
    alert.save(update_fields=["acknowledged_by", "acknowledged_at", "note"])
    audit.record(
        actor=actor,
        action="reveal-alert-acknowledge",
        resource=Resource.REVEAL_ALERT,
        object_id=alert.pk,
        mission_id=alert.mission_id,
    )
    return alert


@transaction.atomic
def record_void(*, actor: Any, record: VoidableRecord, reason: str) -> VoidableRecord:
    """Void an operational record with a reason (the only way to take one out of use)."""
    if not reason.strip():
        raise ServiceError(
            "A reason is required to void a record.", field_errors={"reason": ["Required."]}
        )
    model = type(record)
    locked = access.get_visible(
        actor, model._default_manager.select_for_update(), action="void", pk=record.pk
    )
    if locked.voided_at is not None:
        raise ServiceError("This record is already voided.")
    locked.voided_at = timezone.now()
    locked.voided_by = actor
    locked.void_reason = reason.strip()
    update = ["voided_at", "voided_by", "void_reason"]
    if isinstance(locked, models.Model) and hasattr(locked, "status"):
        locked.status = "voided"
        update.append("status")
    locked.save(update_fields=update)
    audit.record(
        actor=actor,
        action="void",
        resource=getattr(locked, "access_resource", ""),
        object_id=locked.pk,
        mission_id=getattr(locked, "mission_id", None),
        detail={"reason_length": len(reason)},
    )
    return locked


# --- invitations from a file --------------------------------------------------------------------


class PeopleRefused(ServiceError):
    """The people file has bad rows; nothing was written. ``report`` says which."""

    def __init__(self, report: people_import.PeopleReport) -> None:
        super().__init__(
            f"{report.error_count} bad rows; nobody was invited.",
            field_errors={"file": [e.as_text() for e in report.errors[:20]]},
        )
        self.report = report


@transaction.atomic
def people_invite_from_file(*, actor: Any, mission: Any, text: str) -> people_import.PeopleReport:
    """Invite the people of a CSV file (see :mod:`bluebox.core.people_import`) into ``mission``.

    All rows or none: one bad row refuses the file with the per-row report. A row whose account
    already exists with the same name, e-mail and last day (invited by this file before) is
    left alone, so the same file twice invites nobody twice. Each new account gets a one-time
    password (returned in the report, stored nowhere readable) and chooses its own at the first
    sign-in. The admin role is granted at once; an operational role is not, since whoever set
    the password grants it none: another administrator of the mission does.
    """
    _require_account_manager(actor, "people-import")
    if not _is_operator(actor) and mission.pk not in access.missions_for(
        actor, Resource.ACCOUNT, "manage"
    ):
        raise access.refuse(
            NotPermitted("only a mission's administrator invites its people"),
            actor=actor,
            action="people-import",
            resource=Resource.ACCOUNT,
            mission_id=mission.pk,
        )
    report = people_import.PeopleReport(sha256=hashlib.sha256(text.encode()).hexdigest())
    sites = {s.code: s for s in mission.sites.all()}
    sectors = {s.code: s for s in mission.sectors.all()}
    try:
        rows = people_import.read(
            text, site_codes=set(sites), sector_codes=set(sectors), report=report
        )
    except people_import.PeopleFileProblem as exc:
        raise ServiceError(str(exc), field_errors={"file": [str(exc)]}) from exc
    existing = {
        u.username.lower(): u
        for u in User.objects.annotate(lowered=Lower("username")).filter(
            lowered__in=[row.username.lower() for row in rows]
        )
    }
    new_rows = []
    for row in rows:
        user = existing.get(row.username.lower())
        if user is None:
            new_rows.append(row)
        elif _invited_alike(user, row, actor=actor, mission=mission):
            report.unchanged += 1
        else:
            report.refuse(
                row.number, row.username, "username", "an account with this username exists"
            )
    if report.error_count:
        raise PeopleRefused(report)
    for row in new_rows:
        password = secrets.token_urlsafe(12)
        invited = user_create(
            actor=actor,
            username=row.username,
            password=password,
            display_name=row.display_name,
            email=row.email,
            access_ends_on=row.access_ends_on,
        )
        scope = {"mission": mission, "sector": sectors.get(row.sector_code)}
        scope["site"] = sites.get(row.site_code)
        if row.role == Role.ADMIN:
            role_grant(actor=actor, user=invited, role=row.role, **scope)
        report.created.append(
            {
                "person": invited,
                "password": password,
                "role": row.role,
                "role_label": Role(row.role).label,
                "scope": scope["site"] or scope["sector"] or mission,
                "granted": row.role == Role.ADMIN,
            }
        )
    audit.record(
        actor=actor,
        action="people-import",
        resource=Resource.ACCOUNT,
        mission_id=mission.pk,
        detail={
            "sha256": report.sha256,
            "rows": report.rows,
            "created": len(report.created),
            "unchanged": report.unchanged,
        },
    )
    return report


def _invited_alike(user: User, row: people_import.PersonRow, *, actor: Any, mission: Any) -> bool:
    """The account is this row, invited before into this mission (or by this actor)."""
    ours = (
        user.credentials_set_by_id == getattr(actor, "pk", None)
        or RoleAssignment.objects.filter(user=user, mission=mission).exists()
    )
    return (
        ours
        and user.display_name == row.display_name
        and user.email == row.email
        and user.access_ends_on == row.access_ends_on
    )

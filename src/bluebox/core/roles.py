"""Roles and what each may do: the policy table read by :mod:`bluebox.core.access`.

A role is held per scope (mission, sector or field site). Each rule says which roles may perform
an action on a resource, and whether a sector- or site-scoped holder sees the whole mission for
that resource (mission structure is shared mission-wide; operational records are not).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.classification import Classification, Compartment


class Role(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    ANALYST = "analyst", _("Analyst")
    PLANNER = "planner", _("Planner")
    COMMANDER = "commander", _("Commander")
    SOURCE_HANDLER = "source_handler", _("Source handler")
    DETENTION_OFFICER = "detention_officer", _("Detention officer")
    HRDDP_OFFICER = "hrddp_officer", _("HRDDP officer")
    COMMUNITY_OFFICER = "community_officer", _("Community policing officer")
    HUMAN_RIGHTS = "human_rights", _("Human rights officer")
    PARTNER = "partner", _("Partner liaison")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class Resource(StrEnum):
    """Every resource the policy knows: a misspelt name fails at import, not as a silent refusal.

    A new domain app adds its resources here, then registers their rules from its
    ``AppConfig.ready`` (:func:`register_policy`).
    """

    MISSION = "mission"
    FORCE = "force"
    INCIDENT = "incident"
    INCIDENT_WORKFLOW = "incident_workflow"
    PROTECTED_PERSON = "protected_person"
    AUDIT = "audit"
    ACCOUNT = "account"
    ALERT = "alert"
    CAP_ALERT = "cap_alert"
    DEPLOYMENT_PLAN = "deployment_plan"
    DETENTION = "detention"
    DETENTION_NOTIFICATION = "detention_notification"
    FORECAST_RUN = "forecast_run"
    FORECAST = "forecast"
    GUIDE = "guide"
    GUIDE_OVERRIDE = "guide_override"
    HRDDP = "hrddp"
    ENGAGEMENT = "engagement"
    TRAINING = "training"
    PATROL = "patrol"
    SURVEY = "survey"
    SURVEY_RESPONSE = "survey_response"
    INDICATOR = "indicator"
    SHARING = "sharing"
    EVALUATION = "evaluation"
    SYSTEM = "system"
    DOWNGRADE = "downgrade"
    REVEAL_ALERT = "reveal_alert"


@dataclass(frozen=True)
class RoleProfile:
    """Highest classification a role reads and the compartments it holds by default."""

    max_classification: Classification | None
    compartments: int = 0


ROLE_PROFILES: dict[str, RoleProfile] = {
    Role.REPORTER: RoleProfile(Classification.CONFIDENTIAL),
    Role.ANALYST: RoleProfile(Classification.STRICTLY_CONFIDENTIAL),
    Role.PLANNER: RoleProfile(Classification.CONFIDENTIAL),
    Role.COMMANDER: RoleProfile(
        Classification.STRICTLY_CONFIDENTIAL, int(Compartment.DETENTION | Compartment.HRDDP)
    ),
    Role.SOURCE_HANDLER: RoleProfile(Classification.STRICTLY_CONFIDENTIAL, int(Compartment.SOURCE)),
    Role.DETENTION_OFFICER: RoleProfile(Classification.CONFIDENTIAL, int(Compartment.DETENTION)),
    Role.HRDDP_OFFICER: RoleProfile(Classification.CONFIDENTIAL, int(Compartment.HRDDP)),
    # Runs dialogues, committees and courses with communities and host-state police.
    Role.COMMUNITY_OFFICER: RoleProfile(Classification.CONFIDENTIAL),
    # Human rights officers see operational content through sharing agreements, not by role.
    Role.HUMAN_RIGHTS: RoleProfile(Classification.UNCLASSIFIED),
    Role.PARTNER: RoleProfile(Classification.UNCLASSIFIED),
    Role.AUDITOR: RoleProfile(None),
    Role.ADMIN: RoleProfile(None),
}

OPERATIONAL_ROLES = frozenset(
    {
        Role.REPORTER,
        Role.ANALYST,
        Role.PLANNER,
        Role.COMMANDER,
        Role.SOURCE_HANDLER,
        Role.DETENTION_OFFICER,
        Role.HRDDP_OFFICER,
        Role.COMMUNITY_OFFICER,
        Role.HUMAN_RIGHTS,
        Role.PARTNER,
    }
)


#: The action of reading a record through a sharing agreement, redacted (core/sharing.py).
SHARED = "shared"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    mission_wide: bool = False


def _rule(*roles: str, mission_wide: bool = False) -> Rule:
    return Rule(frozenset(roles), mission_wide)


# resource -> action -> rule. Anything absent is refused.
POLICY: dict[Resource, dict[str, Rule]] = {
    Resource.MISSION: {
        # The shape of the mission (sectors, sites, partners) is needed by everyone who works in it,
        # and by the administrator to grant roles; it holds no operational content.
        "view": _rule(*OPERATIONAL_ROLES, Role.ADMIN, mission_wide=True),
        # Its definition (mandate profile, SOP limits, geography) is kept by the commanders and
        # the administrator, who sets missions up; none of it is operational content.
        "change": _rule(Role.COMMANDER, Role.ADMIN),
    },
    Resource.FORCE: {
        "view": _rule(Role.PLANNER, Role.COMMANDER, Role.ANALYST, mission_wide=True),
        "change": _rule(Role.PLANNER, Role.COMMANDER),
    },
    Resource.INCIDENT: {
        "view": _rule(
            Role.REPORTER,
            Role.ANALYST,
            Role.PLANNER,
            Role.COMMANDER,
            Role.SOURCE_HANDLER,
            Role.DETENTION_OFFICER,
            Role.HRDDP_OFFICER,
        ),
        "create": _rule(Role.REPORTER, Role.ANALYST, Role.COMMANDER, Role.SOURCE_HANDLER),
        "verify": _rule(Role.ANALYST, Role.COMMANDER),
        "void": _rule(Role.ANALYST, Role.COMMANDER),
        # Who may *receive* a redacted view through a sharing agreement: never a grant by
        # itself — access.grants() answers "shared" only from the live agreements naming the
        # person (see core/sharing.py).
        SHARED: _rule(Role.HUMAN_RIGHTS, Role.PARTNER, mission_wide=True),
    },
    Resource.AUDIT: {"view": _rule(Role.AUDITOR, mission_wide=True)},
    # Accounts, role assignments and compartment grants: the administrator's whole remit.
    # core/services.py adds the rules no policy row can express (nobody grants themselves,
    # an administrator holds no operational role, credentials set by someone bar their grants).
    # Commanders read who holds which role in their mission (the people pages), never change it.
    Resource.ACCOUNT: {
        "manage": _rule(Role.ADMIN, mission_wide=True),
        "view": _rule(Role.ADMIN, Role.COMMANDER, mission_wide=True),
    },
    # The machinery (readiness checks, job counts by status): no operational content.
    Resource.SYSTEM: {"view": _rule(Role.ADMIN)},
    # Lowering a record's classification or removing a compartment (core/downgrades.py): asked
    # by someone who works with the record, decided by a commander cleared for the record as it
    # stands (its level and every compartment it carries), never by the one who asked. The
    # administrator holds no operational role, so never decides one.
    Resource.DOWNGRADE: {
        "view": _rule(
            Role.ANALYST,
            Role.COMMANDER,
            Role.SOURCE_HANDLER,
            Role.DETENTION_OFFICER,
            Role.HRDDP_OFFICER,
        ),
        "request": _rule(
            Role.ANALYST,
            Role.COMMANDER,
            Role.SOURCE_HANDLER,
            Role.DETENTION_OFFICER,
            Role.HRDDP_OFFICER,
        ),
        "approve": _rule(Role.COMMANDER),
    },
    # A person revealing more identities than the mission's setting allows: the commanders are
    # told and acknowledge; the auditor reads them too. They name the person, never an identity.
    Resource.REVEAL_ALERT: {
        "view": _rule(Role.COMMANDER, Role.AUDITOR, mission_wide=True),
        "acknowledge": _rule(Role.COMMANDER, mission_wide=True),
    },
}


def register_policy(resource: Resource, actions: dict[str, Rule]) -> None:
    """Add a domain app's resource to the policy (called from its ``AppConfig.ready``).

    Each app owns its own entries, so a new capability cannot quietly widen another's.
    """
    resource = Resource(resource)  # a plain string that names no resource fails here
    if resource in POLICY and POLICY[resource] != actions:
        raise ValueError(f"policy for {resource!r} is already registered differently")
    POLICY[resource] = dict(actions)


def rule(*roles: str, mission_wide: bool = False) -> Rule:
    """Public constructor for apps registering their policy."""
    return _rule(*roles, mission_wide=mission_wide)


def rule_for(resource: Resource, action: str) -> Rule | None:
    return POLICY.get(Resource(resource), {}).get(action)

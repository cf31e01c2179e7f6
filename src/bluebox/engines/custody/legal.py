"""Is an apprehension lawful under the mission's mandate profile at this site? (pure rules)

The mandate profile decides which legal bases exist at all; the site decides whether an urgent
temporary measure is open (only where national police are absent or not operational) and
whether POC-site rules apply. Returns reasons a person can act on, never a bare "no", as
messages to say in the reader's language (:mod:`bluebox.engines.messages`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bluebox.engines.messages import Message, gettext_noop

EXECUTIVE = "executive"
NON_EXECUTIVE = "non_executive"
QUASI_EXECUTIVE = "quasi_executive"

EXECUTIVE_ARREST = "executive_arrest"
URGENT_TEMPORARY_MEASURE = "urgent_temporary_measure"
POC_SITE_RULES = "poc_site_rules"
IMMINENT_THREAT = "imminent_threat"


@dataclass(frozen=True)
class MandateProfile:
    authority: str  # executive, non_executive, quasi_executive
    poc_mandate: bool
    utm_requires_national_absence: bool
    utm_requires_host_request: bool


@dataclass(frozen=True)
class SiteFacts:
    kind: str  # FieldSite.kind, e.g. "poc_site"
    national_police_present: bool
    national_police_operational: bool


def _executive_arrest(mandate: MandateProfile, site: SiteFacts, request: str) -> list[Message]:
    if mandate.authority != EXECUTIVE:
        return [
            Message(
                gettext_noop("Arrest on the mission's own authority needs an executive mandate.")
            )
        ]
    return []


def _urgent_temporary_measure(
    mandate: MandateProfile, site: SiteFacts, request: str
) -> list[Message]:
    problems: list[Message] = []
    if mandate.authority not in (QUASI_EXECUTIVE, EXECUTIVE):
        problems.append(
            Message(gettext_noop("This mission's mandate gives no urgent temporary measures."))
        )
    national_able = site.national_police_present and site.national_police_operational
    if mandate.utm_requires_national_absence and national_able:
        problems.append(
            Message(
                gettext_noop(
                    "Urgent temporary measures apply only where national police are absent or "
                    "not operational; at this site they are present and operational."
                )
            )
        )
    if mandate.utm_requires_host_request and not request.strip():
        problems.append(Message(gettext_noop("The host state's request must be referenced.")))
    return problems


def _poc_site_rules(mandate: MandateProfile, site: SiteFacts, request: str) -> list[Message]:
    if site.kind != "poc_site":
        return [Message(gettext_noop("POC-site rules apply only inside a POC site."))]
    return []


def _imminent_threat(mandate: MandateProfile, site: SiteFacts, request: str) -> list[Message]:
    if not mandate.poc_mandate:
        return [
            Message(
                gettext_noop(
                    "Apprehension to stop an imminent threat to civilians needs a POC mandate."
                )
            )
        ]
    return []


_RULES = {
    EXECUTIVE_ARREST: _executive_arrest,
    URGENT_TEMPORARY_MEASURE: _urgent_temporary_measure,
    POC_SITE_RULES: _poc_site_rules,
    IMMINENT_THREAT: _imminent_threat,
}


def legal_basis_problems(
    basis: str, mandate: MandateProfile, site: SiteFacts, *, host_request_reference: str = ""
) -> list[Message]:
    """Why ``basis`` does not hold here (an empty list means it does).

    Parameters
    ----------
    basis
        One of ``executive_arrest``, ``urgent_temporary_measure``, ``poc_site_rules``,
        ``imminent_threat``.
    mandate
        The mission's mandate profile.
    site
        Facts about the field site where the person was apprehended.
    host_request_reference
        The host state's request, where the mandate requires one for urgent temporary measures.
    """
    check = _RULES.get(basis)
    if check is None:
        return [Message.of(gettext_noop("Unknown legal basis %(basis)s."), basis=repr(basis))]
    return check(mandate, site, host_request_reference)

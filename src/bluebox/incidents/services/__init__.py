"""Writes on incidents, one module per sub-domain: ``records`` (report and workflow),
``imports`` (uploads queued for the worker) and ``people`` (protected people).

Every write is atomic, authorized through :mod:`bluebox.core.access` and audited. The import
itself runs in the worker (:mod:`bluebox.incidents.jobs`, queued through
:mod:`bluebox.incidents.tasks`) or at the command line.
"""

from __future__ import annotations

from bluebox.incidents.jobs import ImportRefused
from bluebox.incidents.services.common import WORKFLOW
from bluebox.incidents.services.imports import HEADER_LIMIT, import_job_submit
from bluebox.incidents.services.merge import incident_merge, incident_unmerge
from bluebox.incidents.services.people import protected_person_create, protected_person_reveal
from bluebox.incidents.services.records import (
    REPORTABLE_FIELDS,
    incident_close,
    incident_link,
    incident_primacy_handover,
    incident_report,
    incident_respond,
    incident_verify,
    incident_void,
)

__all__ = [
    "HEADER_LIMIT",
    "REPORTABLE_FIELDS",
    "WORKFLOW",
    "ImportRefused",
    "import_job_submit",
    "incident_close",
    "incident_link",
    "incident_merge",
    "incident_primacy_handover",
    "incident_report",
    "incident_respond",
    "incident_unmerge",
    "incident_verify",
    "incident_void",
    "protected_person_create",
    "protected_person_reveal",
]

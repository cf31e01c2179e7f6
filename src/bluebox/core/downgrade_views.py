"""Pages of the two-person downgrade: ask for a lower marking, and the queue of requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bluebox.core import access, downgrades, selectors, web
from bluebox.core.classification import Classification, Compartment, marking
from bluebox.core.models import DowngradeRequest, DowngradeStatus
from bluebox.core.roles import Resource


class DowngradeForm(forms.Form):
    """The marking asked for: a level no higher than the record's, the compartments it keeps."""

    to_classification = forms.TypedChoiceField(label=gettext_lazy("Lower to"), coerce=int)
    keep = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Compartments it keeps (untick to remove)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why the record no longer needs its marking"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, record: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level = int(record.classification)
        lower_to = cast(forms.TypedChoiceField, self.fields["to_classification"])
        lower_to.choices = [(v, label) for v, label in Classification.choices if v <= level]
        lower_to.initial = level
        carried = [(int(c), c.label) for c in Compartment if record.compartments & int(c)]
        keep = cast(forms.TypedMultipleChoiceField, self.fields["keep"])
        keep.choices = carried
        keep.initial = [value for value, _label in carried]
        if not carried:
            del self.fields["keep"]


@dataclass(frozen=True)
class QueueRow:
    request: DowngradeRequest
    lapsed: bool
    page: str  # the URL name of the record's page
    record_label: str

    @classmethod
    def of(cls, request: DowngradeRequest, now: datetime) -> QueueRow:
        page, label = downgrades.record_page(request.record_type)
        lapsed = request.status == DowngradeStatus.PENDING and request.expires_at <= now
        return cls(request=request, lapsed=lapsed, page=page, record_label=label)


class DecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why"), max_length=1000, required=False)


@login_required
def downgrade_new(request: HttpRequest, record_type: str, pk: int) -> HttpResponse:
    """Ask for a lower classification of one record, or the removal of a compartment."""
    model = downgrades.downgradable(record_type)
    if model is None:  # an unknown type answers like an unknown record
        raise access.refuse_lookup(
            request.user, DowngradeRequest.objects.all(), action="request", pk=pk
        )
    record: Any = access.get_visible(request.user, model._default_manager.all(), pk=pk)
    url_name, _label = downgrades.record_page(record_type)
    if request.method == "POST":
        form = DowngradeForm(request.POST, record=record)
        data = form.cleaned_data if form.is_valid() else {}
        kept = 0
        for value in data.get("keep", []):
            kept |= value
        return web.call_and_redirect(
            request,
            lambda: downgrades.downgrade_request(
                actor=request.user,
                record_type=record_type,
                object_id=record.pk,
                to_classification=data.get("to_classification", -1),
                to_compartments=kept,
                reason=data.get("reason", ""),
            ),
            done=_("Asked. The record keeps its marking until a second person approves."),
            to=(url_name, record.pk),
            failed_to=("downgrade-new", record_type, record.pk),
        )
    scope = downgrades.record_scope(record)
    if not access.can_in_scope(
        request.user,
        Resource.DOWNGRADE,
        "request",
        classification=record.classification,
        compartments=record.compartments,
        **scope,
    ):
        raise PermissionDenied
    return render(
        request,
        "core/downgrade_new.html",
        {
            "record": record,
            "record_url": (url_name, record.pk),
            "current": marking(record.classification, record.compartments),
            "form": DowngradeForm(record=record),
            "waiting": selectors.downgrade_waiting(record_type, record.pk, timezone.now()),
        },
    )


@login_required
def downgrade_queue(request: HttpRequest) -> HttpResponse:
    """Requests waiting for this person's decision, their own requests, and recent decisions."""
    if not access.grants(request.user, Resource.DOWNGRADE, "view"):
        raise PermissionDenied
    now = timezone.now()
    to_decide = list(selectors.downgrades_to_decide(request.user, now)[:200])
    deciding = {r.pk for r in to_decide}
    others = [r for r in selectors.downgrades_for(request.user)[:200] if r.pk not in deciding]
    return render(
        request,
        "core/downgrades.html",
        {
            "to_decide": [QueueRow.of(r, now) for r in to_decide],
            "others": [QueueRow.of(r, now) for r in others],
            "form": DecisionForm(),
        },
    )


def _decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if decision == "approve":
        return web.call_and_redirect(
            request,
            lambda: downgrades.downgrade_approve(actor=request.user, request_id=pk, note=note),
            done=_("Approved: the record now carries the lower marking."),
            to="downgrade-queue",
        )
    if decision == "refuse":
        return web.call_and_redirect(
            request,
            lambda: downgrades.downgrade_refuse(actor=request.user, request_id=pk, note=note),
            done=_("Refused: the record keeps its marking."),
            to="downgrade-queue",
        )
    return web.call_and_redirect(
        request,
        lambda: downgrades.downgrade_withdraw(actor=request.user, request_id=pk),
        done=_("Withdrawn: the record keeps its marking."),
        to="downgrade-queue",
    )


@login_required
@require_POST
def downgrade_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@login_required
@require_POST
def downgrade_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "refuse")


@login_required
@require_POST
def downgrade_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "withdraw")

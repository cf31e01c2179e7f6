"""The people pages: the administrator invites people, grants and revokes roles and
compartments, disables and enables accounts, through the audited services only.

Nothing here reads an operational record: the pages show accounts, roles with their scope and
compartment grants of the missions the signed-in person administers (commanders read them).
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bluebox.core import access, auth, selectors, services, web
from bluebox.core.classification import Compartment
from bluebox.core.exceptions import NotPermitted, NotVisible, ServiceError
from bluebox.core.inputs import FormDateField
from bluebox.core.models import CompartmentGrant, RoleAssignment
from bluebox.core.roles import Resource, Role


def _require(user: Any, action: str) -> None:
    if not selectors.people_missions(user, action):
        raise access.refuse(
            NotPermitted("only a mission's administrator manages its people"),
            actor=user,
            action=f"people-{action}",
            resource=Resource.ACCOUNT,
        )


def _managed(user: Any, pk: int) -> dict[str, Any]:
    """A person of a mission the user manages (commanders see them but manage none)."""
    row = selectors.person_for(user, pk)
    if not selectors.people_missions(user, "manage"):
        _require(user, "manage")
    return row


class ScopeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    scope = forms.ChoiceField(label=_("Scope"), choices=())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        scope = cast(forms.ChoiceField, self.fields["scope"])
        scope.choices = selectors.scopes_for(user)

    def clean_scope(self) -> dict[str, Any]:
        scope = selectors.scope_of(self.user, self.cleaned_data["scope"])
        if scope is None:
            raise forms.ValidationError(_("Choose a scope of a mission you administer."))
        return scope


def _access_end_field(required: bool = False) -> forms.DateField:
    return FormDateField(
        label=_("Last day of access (end of rotation)"),
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("From the next day the account signs nobody in. Empty: no end."),
    )


class InviteForm(ScopeForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    access_ends_on = _access_end_field()
    field_order = ["username", "display_name", "email", "role", "scope", "access_ends_on"]


class AccessEndForm(forms.Form):
    access_ends_on = _access_end_field()
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CompartmentForm(forms.Form):
    compartment = forms.TypedChoiceField(
        label=_("Compartment"), choices=Compartment.choices, coerce=int
    )
    mission = forms.TypedChoiceField(label=_("Mission"), choices=(), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["mission"]).choices = _mission_choices(user)


def _mission_choices(user: Any) -> list[tuple[str, str]]:
    return [
        (key.partition(":")[2], label)
        for key, label in selectors.scopes_for(user)
        if key.startswith("mission:")
    ]


class PeopleFileForm(forms.Form):
    mission = forms.TypedChoiceField(label=_("Mission"), choices=(), coerce=int)
    file = forms.FileField(label=_("People file (CSV)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["mission"]).choices = _mission_choices(user)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def _in_words(request: HttpRequest, exc: NotPermitted) -> None:
    """A refusal of these pages is shown in words on the page it came from (and audited)."""
    access.record_refusal(exc)
    messages.error(request, gettext("Refused: %(reason)s.") % {"reason": exc})


def _call(request: HttpRequest, call: Any, *, done: str, pk: int) -> HttpResponse:
    try:
        return web.call_and_redirect(request, call, done=done, to=("person-detail", pk))
    except NotPermitted as exc:
        _in_words(request, exc)
        return redirect("person-detail", pk)


def _post(request: HttpRequest, form: forms.Form, call: Any, *, done: str, pk: int) -> HttpResponse:
    """A form posted from a person's page: its errors in words, or ``call(cleaned_data)``."""
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("person-detail", pk)
    return _call(request, lambda: call(form.cleaned_data), done=done, pk=pk)


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    _require(request.user, "view")
    people = selectors.people_for(request.user)
    return render(
        request,
        "core/people_list.html",
        {
            "people": people,
            "ending": selectors.access_ending(people, within_days=ACCESS_ENDING_DAYS),
            "ending_days": ACCESS_ENDING_DAYS,
            "may_manage": bool(selectors.people_missions(request.user, "manage")),
        },
    )


#: How far ahead the people list shows accounts whose access is about to end.
ACCESS_ENDING_DAYS = 30


@login_required
def person_new(request: HttpRequest) -> HttpResponse:
    _require(request.user, "manage")
    form = InviteForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            password = secrets.token_urlsafe(12)
            try:
                person = services.user_create(
                    actor=request.user,
                    username=data["username"],
                    password=password,
                    display_name=data["display_name"],
                    email=data["email"],
                    access_ends_on=data["access_ends_on"],
                )
            except ServiceError as exc:
                web.flash_errors(request, exc)
            else:
                try:
                    services.role_grant(
                        actor=request.user, user=person, role=data["role"], **data["scope"]
                    )
                except (ServiceError, NotPermitted) as exc:
                    # The account stays (listed as awaiting a role): whoever set its password
                    # grants it no operational role, another administrator does.
                    access.record_refusal(exc)
                    messages.warning(
                        request,
                        gettext(
                            "Account created without the role (%(reason)s): another "
                            "administrator of the mission grants it."
                        )
                        % {"reason": exc},
                    )
                # Shown in this answer only: never stored readable, not even in the session.
                return _detail(request, person.pk, one_time_password=password)
        else:
            _form_errors(request, form)
    return render(request, "core/person_new.html", {"form": form})


#: The largest people file a page takes (2,000 rows of a few cells fit many times over).
PEOPLE_FILE_MAX_BYTES = 1_000_000


@login_required
def people_import(request: HttpRequest) -> HttpResponse:
    """Invite the people of a CSV file: all rows or none, each new one-time password shown once."""
    _require(request.user, "manage")
    form = PeopleFileForm(request.POST or None, request.FILES or None, user=request.user)
    report = None
    status = 200
    if request.method == "POST":
        text = _people_file(request, form)
        if text is not None:
            from django.apps import apps

            mission = apps.get_model("missions", "Mission").objects.get(
                pk=form.cleaned_data["mission"]
            )
            try:
                report = services.people_invite_from_file(
                    actor=request.user, mission=mission, text=text
                )
            except ServiceError as exc:
                web.flash_errors(request, exc)
            except NotPermitted as exc:
                _in_words(request, exc)
        if report is None:
            status = 400
    return render(
        request,
        "core/people_import.html",
        {"form": form, "report": report, "max_bytes": PEOPLE_FILE_MAX_BYTES},
        status=status,
    )


def _people_file(request: HttpRequest, form: PeopleFileForm) -> str | None:
    if not form.is_valid():
        _form_errors(request, form)
        return None
    upload = form.cleaned_data["file"]
    if upload.size > PEOPLE_FILE_MAX_BYTES:
        messages.error(request, gettext("The file is too large for a people file."))
        return None
    try:
        return str(upload.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        messages.error(request, gettext("The file is not UTF-8 text; save it as CSV (UTF-8)."))
        return None


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


def _detail(request: HttpRequest, pk: int, *, one_time_password: str = "") -> HttpResponse:
    row = selectors.person_for(request.user, pk)
    may_manage = bool(selectors.people_missions(request.user, "manage"))
    return render(
        request,
        "core/person_detail.html",
        {
            **row,
            "one_time_password": one_time_password,
            "may_manage": may_manage,
            "scope_form": ScopeForm(user=request.user) if may_manage else None,
            "compartment_form": CompartmentForm(user=request.user) if may_manage else None,
            "access_form": (
                AccessEndForm(initial={"access_ends_on": row["person"].access_ends_on})
                if may_manage
                else None
            ),
            "access_ended": auth.access_ended(row["person"]),
        },
    )


@login_required
@require_POST
def person_role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    person = _managed(request.user, pk)["person"]
    return _post(
        request,
        ScopeForm(request.POST, user=request.user),
        lambda data: services.role_grant(
            actor=request.user, user=person, role=data["role"], **data["scope"]
        ),
        done=gettext("Role granted."),
        pk=pk,
    )


@login_required
@require_POST
def person_role_revoke(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    row = _managed(request.user, pk)
    assignment = next((a for a in row["roles"] if a.pk == assignment_id), None)
    if assignment is None or not isinstance(assignment, RoleAssignment):
        raise NotVisible
    return _call(
        request,
        lambda: services.role_revoke(actor=request.user, assignment=assignment),
        done=gettext("Role revoked."),
        pk=pk,
    )


@login_required
@require_POST
def person_compartment_grant(request: HttpRequest, pk: int) -> HttpResponse:
    person = _managed(request.user, pk)["person"]
    from django.apps import apps

    missions = apps.get_model("missions", "Mission").objects
    return _post(
        request,
        CompartmentForm(request.POST, user=request.user),
        lambda data: services.compartment_grant(
            actor=request.user,
            user=person,
            mission=missions.get(pk=data["mission"]),
            compartment=data["compartment"],
            reason=data["reason"],
        ),
        done=gettext("Compartment granted."),
        pk=pk,
    )


@login_required
@require_POST
def person_compartment_revoke(request: HttpRequest, pk: int, grant_id: int) -> HttpResponse:
    row = _managed(request.user, pk)
    grant = next((g for g in row["compartments"] if g.pk == grant_id), None)
    if grant is None or not isinstance(grant, CompartmentGrant):
        raise NotVisible
    return _call(
        request,
        lambda: services.compartment_revoke(actor=request.user, grant=grant),
        done=gettext("Compartment revoked."),
        pk=pk,
    )


@login_required
@require_POST
def person_disable(request: HttpRequest, pk: int) -> HttpResponse:
    person = _managed(request.user, pk)["person"]
    return _post(
        request,
        ReasonForm(request.POST),
        lambda data: services.user_disable(actor=request.user, user=person, reason=data["reason"]),
        done=gettext("Account disabled; its sessions and tokens are ended."),
        pk=pk,
    )


@login_required
@require_POST
def person_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A new one-time password, shown once; the person chooses their own at the next sign-in.

    The reset ends the account's sessions and tokens and withdraws its operational roles and
    compartments (another administrator grants them again).
    """
    person = _managed(request.user, pk)["person"]
    if person.pk == request.user.pk:
        messages.error(request, gettext("Change your own password on your security page."))
        return redirect("person-detail", pk)
    password = secrets.token_urlsafe(12)
    try:
        services.user_password_set(actor=request.user, user=person, password=password)
    except (ServiceError, NotPermitted) as exc:
        if isinstance(exc, NotPermitted):
            _in_words(request, exc)
        else:
            web.flash_errors(request, exc)
        return redirect("person-detail", pk)
    messages.success(
        request,
        gettext("Password reset: the person chooses their own at the next sign-in."),
    )
    return _detail(request, pk, one_time_password=password)


@login_required
@require_POST
def person_access_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Set, extend or remove the account's last day of access (with a reason)."""
    person = _managed(request.user, pk)["person"]
    return _post(
        request,
        AccessEndForm(request.POST),
        lambda data: services.user_access_end_set(
            actor=request.user, user=person, ends_on=data["access_ends_on"], reason=data["reason"]
        ),
        done=gettext("Last day of access saved."),
        pk=pk,
    )


@login_required
@require_POST
def person_enable(request: HttpRequest, pk: int) -> HttpResponse:
    person = _managed(request.user, pk)["person"]
    return _post(
        request,
        ReasonForm(request.POST),
        lambda data: services.user_enable(actor=request.user, user=person, reason=data["reason"]),
        done=gettext("Account enabled."),
        pk=pk,
    )

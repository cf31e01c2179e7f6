from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bluebox.core.auth import ACCESS_ENDED, refuse_if_throttled
from bluebox.core.classification import Classification

#: The empty first choice of an optional select.
BLANK: list[tuple[str, Any]] = [("", "—")]


def classification_field() -> forms.TypedChoiceField:
    """The classification a new record is given: confidential unless its author lowers it."""
    return forms.TypedChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        coerce=int,
        initial=Classification.CONFIDENTIAL,
    )


class SiteForm(forms.Form):
    """A form whose ``site`` field (declared where it stands in the form) offers the sites its
    page passes in (``sites=``), after a blank choice."""

    def __init__(self, *args: Any, sites: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["site"]).choices = BLANK + list(sites or [])


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed attempts. Wait a few minutes and try again."),
        "access_ended": _(
            "This account's access ended on %(day)s, at the end of its rotation. Ask your "
            "mission's administrator to extend it if you are still serving."
        ),
    }

    def clean(self) -> dict[str, Any]:
        try:
            refuse_if_throttled(self.request, self.data.get("username"))
        except PermissionDenied as exc:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled") from exc
        try:
            return super().clean()
        except forms.ValidationError:
            # Set by the backend only once the password proved right.
            ended = getattr(self.request, ACCESS_ENDED, None)
            if ended is None:
                raise
            raise forms.ValidationError(
                self.error_messages["access_ended"],
                code="access_ended",
                params={"day": date_format(ended, "DATE_FORMAT")},
            ) from None


class StepUpForm(forms.Form):
    """The second factor a reveal form asks for: a current code, or (filled by passkeys.js) the
    mark of a passkey step-up just made for this record."""

    code = forms.CharField(
        label=_("Second factor: code from your authenticator app, or a recovery code"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
    passkey_step_up = forms.CharField(required=False, max_length=1, widget=forms.HiddenInput)

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from bluebox.core.auth import refuse_if_throttled


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed attempts. Wait a few minutes and try again."),
    }

    def clean(self) -> dict[str, Any]:
        try:
            refuse_if_throttled(self.request, self.data.get("username"))
        except PermissionDenied as exc:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled") from exc
        return super().clean()


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

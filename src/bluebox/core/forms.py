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

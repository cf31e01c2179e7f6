from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from bluebox.core.auth import is_throttled


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed attempts. Wait a few minutes and try again."),
    }

    def clean(self) -> dict[str, Any]:
        if is_throttled(self.request, self.data.get("username")):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        return super().clean()

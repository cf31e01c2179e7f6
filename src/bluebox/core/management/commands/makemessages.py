"""Django's makemessages, also extracting the plural msgids engines mark with
``ngettext_noop`` (:mod:`bluebox.engines.messages`; ``gettext_noop`` Django extracts itself)."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=ngettext_noop:1,2"]

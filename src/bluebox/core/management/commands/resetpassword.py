"""``bluebox manage resetpassword USER`` (``changepassword`` leads here): the audited reset.

At the command line the operator resets someone's password like an administrator would: the
account's sessions and tokens end, its operational roles and compartments are withdrawn (to be
granted again through the services), and the audit entry names the operator.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluebox.core import services
from bluebox.core.models import User


class Command(BaseCommand):
    help = "Reset an account's password (audited; withdraws its operational access)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no account {options['username']!r}")
        password = getpass.getpass("new password: ")
        if password != getpass.getpass("again: "):
            raise CommandError("the passwords differ; nothing changed")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        services.user_password_set(actor=None, user=user, password=password)
        self.stdout.write(f"password of {user.get_username()} reset")

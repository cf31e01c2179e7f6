"""WSGI entry point used by ``bluebox serve`` and any production server."""

import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

from bluebox.core.files import restrict_new_files, tighten

# Any WSGI server, not only `bluebox serve`: what this process creates is its user's alone.
restrict_new_files()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluebox.config.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - configured by the line above

tighten(Path(settings.DATA_DIR))  # files an older version or a copy left readable

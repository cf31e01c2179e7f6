"""WSGI entry point used by ``bluebox serve`` and any production server.

The data directory is created on first use here (run ``bluebox init`` once before a server
that does not go through ``bluebox serve``: keys are never generated here).
"""

import os
from pathlib import Path

from bluebox.core.files import restrict_new_files, tighten

# Any WSGI server, not only `bluebox serve`: what this process creates is its user's alone.
restrict_new_files()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluebox.config.settings")

from django.conf import settings  # noqa: E402 - after the umask and the settings module
from django.core.wsgi import get_wsgi_application  # noqa: E402

from bluebox.config import datadir  # noqa: E402

datadir.ensure_layout(settings.DATA_DIR)
application = get_wsgi_application()

tighten(Path(settings.DATA_DIR))  # files an older version or a copy left readable

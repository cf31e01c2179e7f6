"""WSGI entry point used by ``bluebox serve`` and any production server.

The data directory is created on first use here (run ``bluebox init`` once before a server
that does not go through ``bluebox serve``: keys are never generated here).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluebox.config.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from bluebox.config import datadir

datadir.ensure_layout(settings.DATA_DIR)
application = get_wsgi_application()

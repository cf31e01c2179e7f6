"""WSGI entry point used by ``bluebox serve`` and any production server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluebox.config.settings")
application = get_wsgi_application()

"""WSGI entry point: ``gunicorn peerlearn.site.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.site.settings")
application = get_wsgi_application()

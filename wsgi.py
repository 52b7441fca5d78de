"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi ...`."""

from app import create_app
from app.core.web import collector

app = create_app()
# Long-lived objects out of the collector's way (app/core/web/collector.py); not for tests,
# which build their apps with create_app().
collector.settle(app)

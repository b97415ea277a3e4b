"""WSGI entry point: `gunicorn app:app`, `flask --app app run`."""

from crm import create_app

app = create_app()

"""WSGI entry point: ``gunicorn wsgi:app``."""

from search_service import create_app

app = create_app()

"""gunicorn reads this file from the working directory: `gunicorn wsgi:app`.

The settings live in the package so that an installed service uses the same ones.
"""

from search_service.gunicorn_conf import *  # noqa: F403

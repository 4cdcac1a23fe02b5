"""The app as uvicorn's worker processes build it: everything from the environment.

`charter serve --workers N` hands uvicorn this factory by name; each worker process imports it
and builds its own database pool and warm engines. The parent has already checked the settings
and the schema, and put an `--env-file`'s values into the environment the workers inherit.
"""

from __future__ import annotations

from fastapi import FastAPI

from charter.store.db import connect, ensure_current
from charter.store.projects import Governance
from charter.store.settings import load_settings
from charter.web.api import create_app

#: What `uvicorn --factory` is given.
TARGET = "charter.web.factory:app_from_environment"


def app_from_environment() -> FastAPI:
    """The HTTP service over CHARTER_DATABASE_URL, with CHARTER_SECRET_KEY."""
    settings = load_settings()
    db = connect(settings.database_url)
    ensure_current(db, migrate_sqlite=False)
    return create_app(Governance(db, settings.require_secret()), settings.webhook_secret,
                      settings)

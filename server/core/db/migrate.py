"""`python -m server.core.db.migrate`: bring the database to the latest schema (the Procfile's release step).

Safe to run again and from several machines at once: an advisory lock lets one run at a time.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from server.core.settings import get_settings

_MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 7_310_109


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", (database_url or get_settings().database_url).replace("%", "%%"))
    return config


async def ensure_database(database_url: str) -> None:
    """Create the database itself when the server has none of that name (fresh machines)."""
    url = make_url(database_url)
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        await admin.dispose()


def upgrade(database_url: str | None = None) -> None:
    url = database_url or get_settings().database_url
    asyncio.run(ensure_database(url))
    command.upgrade(alembic_config(url), "head")


def main() -> None:
    upgrade()
    print("migrations: database is at the latest revision")


if __name__ == "__main__":
    main()

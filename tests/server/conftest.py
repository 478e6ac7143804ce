"""Fixtures for the real-server tests: a migrated database with the sample site, production
settings, gunicorn with two workers. See harness.py."""

import os
import shutil
import uuid

import pytest

from tests.conftest import require_tool
from tests.server.harness import PG_URL, Gunicorn, RedisServer, manage, postgres_reachable, production_env, psql


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/server/" in str(item.path):
            item.add_marker(pytest.mark.server)


EDITOR_PASSWORD = "a-long-test-password-" + uuid.uuid4().hex[:8]
SEED = f"""
from django.contrib.auth import get_user_model
from tests.site_data import build_site
site = build_site(3)
site.brief.title = "Militias resume attacks on US forces"
site.brief.save()
get_user_model().objects.create_superuser("editor", "editor@example.org", "{EDITOR_PASSWORD}")
"""


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    from tests.server.harness import copy_static

    return copy_static(tmp_path_factory.mktemp("server-static") / "static")


def _uses_postgres():
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def postgres_database():
    """A database of its own on the machine's PostgreSQL, dropped afterwards."""
    require_tool(postgres_reachable(), "PostgreSQL on 127.0.0.1:5432 is needed for this test")
    name = f"dossier_srv_{uuid.uuid4().hex[:12]}"
    psql(f"CREATE DATABASE {name}")
    yield name
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def database_url(request, tmp_path):
    """PostgreSQL when the suite runs on it (CI's second pass), else a SQLite file."""
    if _uses_postgres():
        name = request.getfixturevalue("postgres_database")
        return f"{PG_URL}/{name}"
    return f"sqlite:///{tmp_path / 'db.sqlite3'}"


@pytest.fixture
def redis_server(tmp_path):
    require_tool(shutil.which("redis-server") and shutil.which("redis-cli"), "redis-server is needed for this test")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


def seeded_env(tmp_path, database_url, static_root, redis_url=None):
    env = production_env(tmp_path, database_url=database_url, redis_url=redis_url, static_root=static_root)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, code=SEED)
    return env


@pytest.fixture
def start_server(tmp_path, static_root):
    """``start_server(database_url, redis_url=None)``: a seeded site served by gunicorn (2 workers)."""
    servers = []

    def start(database_url, redis_url=None, workers=2):
        env = seeded_env(tmp_path, database_url, static_root, redis_url)
        server = Gunicorn(env=env, tmp=tmp_path, workers=workers)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()

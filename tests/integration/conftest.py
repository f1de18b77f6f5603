"""Fixtures for the integration tests: PostgreSQL, the scripted model endpoint, servers."""

from tests.fixtures.fake_openai import fake_openai  # noqa: F401
from tests.fixtures.postgres import pg_server, pg_url  # noqa: F401

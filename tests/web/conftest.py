"""Fixtures for the web tests live in web_fixtures (importable by the tests for types)."""

from web_fixtures import fresh_user, web

__all__ = ["fresh_user", "web"]

"""The Store: one engine plus the schema check, shared by every facade."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from patron.core import PatronError, Settings, get_settings
from patron.store import migrate
from patron.store.engine import make_engine


@dataclass
class Store:
    """The operational store. Create with :func:`open_store`."""

    engine: Engine
    url: str

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in one transaction: committed on success, rolled back on error."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reads (and for callers that commit in chunks themselves)."""
        with self.engine.connect() as conn:
            yield conn

    def upgrade(self) -> tuple[str | None, str]:
        """Create or upgrade the schema; returns (revision before, revision after)."""
        return migrate.upgrade(self.engine)

    def schema_revision(self) -> str | None:
        return migrate.current_revision(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings | None = None, *, upgrade: bool = True) -> Store:
    """Open the store named by the settings, creating or upgrading its schema by default.

    >>> from patron.core import Settings
    >>> store = open_store(Settings(database_url="sqlite://"))
    >>> store.dialect
    'sqlite'
    """
    settings = settings or get_settings()
    url = settings.effective_database_url
    try:
        store = Store(make_engine(url), url)
        if upgrade:
            store.upgrade()
    except PatronError:
        raise
    except Exception as exc:  # connection refused, bad URL, permissions ...
        raise PatronError(
            f"cannot open the store at {_redact(url)}: {exc.__class__.__name__}: {exc}",
            hint="check PATRON_DATABASE_URL / PATRON_HOME and that the database server is running",
        ) from exc
    return store


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

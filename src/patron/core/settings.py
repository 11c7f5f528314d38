"""Settings from the environment and an optional ``patron.toml``.

Precedence: environment variables, then ``$PATRON_HOME/patron.toml`` (or ``./patron.toml``),
then defaults. The embedded default keeps everything in one data directory.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field


def default_web_workers() -> int:
    """Processes for ``patron serve``: 2 when this process may use 2 or more CPUs, else 1.

    One process is bound by Python's interpreter lock to about one core; a second uses the
    second core. More than two gains little on small machines, where the store (SQLite or a
    local PostgreSQL) needs CPU too, so larger machines set ``web_workers`` themselves.
    """
    try:
        cpus = len(os.sched_getaffinity(0))  # CPUs this process may run on (containers)
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return 2 if cpus >= 2 else 1


class Settings(BaseModel):
    """patron's settings; see docs/user-guide.md for each one."""

    home: Path = Field(default=Path("patron-data"), description="data directory (PATRON_HOME)")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the operational store (PATRON_DATABASE_URL)"
    )
    default_region: str = Field(default="CN", description="region for phones without +country")
    import_chunk_rows: int = Field(default=10_000, ge=1, description="rows per committed chunk")
    max_field_chars: int = Field(default=1_000_000, description="longest accepted field")
    max_columns: int = Field(default=2000, description="widest accepted file")
    max_xlsx_uncompressed_bytes: int = Field(default=2_000_000_000)
    max_xlsx_compression_ratio: float = Field(default=200.0)
    internal_reliability: float = Field(default=0.9, ge=0, le=1)
    external_reliability: float = Field(default=0.6, ge=0, le=1)
    internal_half_life_days: float = Field(default=730.0, gt=0)
    external_half_life_days: float = Field(default=365.0, gt=0)
    identity_cross_references: list[str] = Field(
        default=["payload.ticket_contact_id=service"],
        description=(
            "interaction payload paths naming another source's customer record "
            "(path=source): `patron unify` joins the two customers outright"
        ),
    )
    analytics_refresh_hours: float = Field(
        default=24.0,
        ge=0,
        description="`patron worker` runs `patron analyze` when the last run is older (0: off)",
    )
    analytics_lifecycle_rules: dict[str, float] = Field(
        default_factory=dict,
        description="lifecycle thresholds overriding the defaults (see patron.analytics.lifecycle)",
    )
    # Web app and REST API (patron serve)
    host: str = Field(default="127.0.0.1", description="address patron serve listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="port patron serve listens on")
    session_idle_minutes: int = Field(default=480, ge=1, description="idle session timeout")
    session_max_hours: int = Field(default=168, ge=1, description="absolute session lifetime")
    cookie_secure: bool = Field(
        default=True,
        description="send the session cookie only over HTTPS (browsers allow http://localhost)",
    )
    login_max_failures: int = Field(default=5, ge=1, description="failed logins before lockout")
    login_lockout_minutes: int = Field(default=15, ge=1)
    login_attempts_per_minute: int = Field(
        default=60, ge=1, description="login attempts allowed per client address and minute"
    )
    max_upload_mib: int = Field(default=2048, ge=1, description="largest import upload")
    web_threads: int = Field(
        default=8, ge=1, le=400, description="threads serving requests that use the store"
    )
    web_workers: int = Field(
        default_factory=default_web_workers,
        ge=1,
        le=64,
        description="processes serving the web app on one port (default: 2 with 2+ CPUs)",
    )

    @property
    def effective_database_url(self) -> str:
        """The store URL: PATRON_DATABASE_URL, else a SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'patron.db').resolve()}"


_ENV = {
    "PATRON_HOME": "home",
    "PATRON_DATABASE_URL": "database_url",
    "PATRON_DEFAULT_REGION": "default_region",
    "PATRON_IMPORT_CHUNK_ROWS": "import_chunk_rows",
    "PATRON_HOST": "host",
    "PATRON_PORT": "port",
    "PATRON_COOKIE_SECURE": "cookie_secure",
    "PATRON_WEB_THREADS": "web_threads",
    "PATRON_WEB_WORKERS": "web_workers",
    "PATRON_LOGIN_ATTEMPTS_PER_MINUTE": "login_attempts_per_minute",
}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default: the process environment) and patron.toml."""
    env = dict(os.environ if environ is None else environ)
    home = Path(env.get("PATRON_HOME", "patron-data"))
    values: dict[str, object] = {}
    for candidate in (home / "patron.toml", Path("patron.toml")):
        if candidate.is_file():
            with candidate.open("rb") as fh:
                values.update(tomllib.load(fh).get("patron", {}))
            break
    for var, name in _ENV.items():
        if env.get(var):
            values[name] = env[var]
    return Settings.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (cached; tests build their own with ``load_settings``)."""
    return load_settings()

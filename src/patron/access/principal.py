"""Who is making a request, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """An authenticated user, through a browser session or an API token."""

    user_id: int
    name: str
    role: str
    permissions: frozenset[str]
    via: str  # "session" | "token" | "local" (the command line on the server itself)
    session_id: int | None = None
    csrf_token: str | None = None
    token_id: int | None = None
    locale: str | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def sees_personal_data(self) -> bool:
        return "personal_data.read" in self.permissions

    @property
    def actor(self) -> str:
        """How the audit log names this principal."""
        return f"user:{self.name}" if self.via != "token" else f"user:{self.name}/token"

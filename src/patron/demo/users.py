"""Demo sign-ins: an administrator and an analyst (who sees personal data masked)."""

from __future__ import annotations

import secrets

from patron import access
from patron.store import Store

DEMO_USERS = (("admin", "admin"), ("analyst", "analyst"))


def ensure_demo_users(store: Store) -> list[tuple[str, str, str]]:
    """Create the demo users, or give them new passwords; returns (name, role, password)."""
    existing = {u.name: u for u in access.list_users(store)}
    out = []
    for name, role in DEMO_USERS:
        password = "-".join(secrets.token_hex(3) for _ in range(3))
        if name in existing:
            access.reset_password(store, name, password, actor="demo")
            if not existing[name].active:
                access.set_user_active(store, name, True, actor="demo")
        else:
            access.add_user(store, name, role, password, actor="demo")
        out.append((name, role, password))
    return out

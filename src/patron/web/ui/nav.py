"""The navigation bar is data: each package's pages register an entry with the permission
that shows it, so later capabilities add pages without editing the layout."""

from __future__ import annotations

from dataclasses import dataclass

from patron.access import Principal


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # an English msgid, translated at render time
    permission: str
    order: int


NAV: list[NavItem] = []


def register_nav(item: NavItem) -> None:
    if any(existing.path == item.path for existing in NAV):
        return
    NAV.append(item)
    NAV.sort(key=lambda i: i.order)


def nav_for(who: Principal | None) -> list[NavItem]:
    if who is None:
        return []
    return [item for item in NAV if who.can(item.permission)]


register_nav(NavItem("/", "Home", "dashboard.read", 10))
register_nav(NavItem("/customers", "Customers", "customers.read", 20))
register_nav(NavItem("/imports", "Imports", "imports.read", 30))
register_nav(NavItem("/admin/users", "Users", "users.manage", 90))

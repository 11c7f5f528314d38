"""The one registry of permissions and what each role may do.

Every API route and page names the permission it needs (patron.web checks it in one place),
so tests can generate the whole role x route matrix from this table. Personal data (phone,
e-mail, address, birth date) is its own permission: roles without it see masked values.
"""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "dashboard.read": "See the home dashboard",
    "customers.read": "Search customers and open their 360 view",
    "customers.write": "Create and edit customers",
    "personal_data.read": "See phone numbers, e-mails, addresses and birth dates unmasked",
    "consent.write": "Record consent given or withdrawn",
    "catalog.read": "Read products, orders and events",
    "imports.read": "See imports, their progress and rejected rows",
    "imports.write": "Upload and run imports",
    "quality.read": "See data quality per source and field",
    "quality.write": "Save data quality snapshots (the score history)",
    "identity.review": "Decide doubtful matches, merge and unmerge customers",
    "identity.run": "Run matching (patron unify)",
    "analytics.read": "See analytics: RFM, lifecycle, CLV, churn, the value x churn matrix, models",
    "analytics.run": "Run the analysis (patron analyze)",
    "analytics.write": "Edit the strategies of the value x churn matrix",
    "users.manage": "Add, disable and change users and their API tokens",
}

_READ = ("dashboard.read", "customers.read", "catalog.read")

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "marketer": frozenset(
        (
            *_READ,
            "customers.write",
            "personal_data.read",
            "consent.write",
            "imports.read",
            "imports.write",
            "quality.read",
            "identity.review",
            "analytics.read",
            "analytics.write",
        )
    ),
    "analyst": frozenset(
        (*_READ, "imports.read", "quality.read", "analytics.read", "analytics.run")
    ),
    "sales": frozenset((*_READ, "customers.write", "personal_data.read", "consent.write")),
    "service": frozenset((*_READ, "customers.write", "personal_data.read", "consent.write")),
    "viewer": frozenset(("dashboard.read", "customers.read")),
}

ROLES = tuple(ROLE_PERMISSIONS)

# Token scopes are permission names; "read" is shorthand for every *.read permission.
READ_SCOPES = frozenset(p for p in PERMISSIONS if p.endswith(".read"))


def role_permissions(role: str) -> frozenset[str]:
    """The permissions of a role (an unknown role has none)."""
    return ROLE_PERMISSIONS.get(role, frozenset())


def expand_scopes(scopes: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Scope names to permissions; raises ValueError naming an unknown scope.

    >>> sorted(expand_scopes(["customers.write"]))
    ['customers.write']
    >>> "imports.read" in expand_scopes(["read"])
    True
    """
    out: set[str] = set()
    for scope in scopes:
        if scope == "read":
            out |= READ_SCOPES
        elif scope == "all":
            out |= set(PERMISSIONS)
        elif scope in PERMISSIONS:
            out.add(scope)
        else:
            known = ", ".join(["read", "all", *PERMISSIONS])
            raise ValueError(f"unknown scope '{scope}' (known: {known})")
    return frozenset(out)

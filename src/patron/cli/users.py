"""`patron user ...` and `patron token ...`: accounts for the web app and REST API."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from patron import access
from patron.cli.common import console, friendly_errors, store

user_app = typer.Typer(no_args_is_help=True, help="Users of the web app and their roles.")
token_app = typer.Typer(no_args_is_help=True, help="API tokens for the REST API.")

ACTOR = "cli"
Role = Annotated[str, typer.Option("--role", help=f"one of: {', '.join(access.ROLES)}")]


def _password(password: str | None) -> str:
    if password is not None:
        return password
    return str(
        typer.prompt("Password (at least 10 characters)", hide_input=True, confirmation_prompt=True)
    )


@user_app.command("add")
@friendly_errors
def user_add(
    name: str,
    role: Role,
    password: Annotated[
        str | None, typer.Option(help="the password; prompted for (hidden) when omitted")
    ] = None,
) -> None:
    """Add a user with a role."""
    user = access.add_user(store(), name, role, _password(password), actor=ACTOR)
    console.print(f"User [bold]{user.name}[/] added with role {user.role}.")


@user_app.command("list")
@friendly_errors
def user_list() -> None:
    """List users, their roles and whether they are active."""
    table = Table("name", "role", "active", "created")
    for u in access.list_users(store()):
        table.add_row(u.name, u.role, "yes" if u.active else "no", f"{u.created_at:%Y-%m-%d}")
    console.print(table)


@user_app.command("disable")
@friendly_errors
def user_disable(name: str) -> None:
    """Disable a user: their sessions end and their API tokens are revoked."""
    access.set_user_active(store(), name, False, actor=ACTOR)
    console.print(f"User {name} disabled; sessions ended, tokens revoked.")


@user_app.command("enable")
@friendly_errors
def user_enable(name: str) -> None:
    """Enable a disabled user again."""
    access.set_user_active(store(), name, True, actor=ACTOR)
    console.print(f"User {name} enabled.")


@user_app.command("role")
@friendly_errors
def user_role(name: str, role: Role) -> None:
    """Change a user's role (applies to their next request)."""
    access.set_user_role(store(), name, role, actor=ACTOR)
    console.print(f"User {name} now has role {role}.")


@user_app.command("password")
@friendly_errors
def user_password(
    name: str,
    password: Annotated[str | None, typer.Option(help="prompted for when omitted")] = None,
) -> None:
    """Set a user's password; all their sessions end."""
    access.reset_password(store(), name, _password(password), actor=ACTOR)
    console.print(f"Password of {name} changed; their sessions have ended.")


@token_app.command("create")
@friendly_errors
def token_create(
    user: Annotated[str, typer.Option("--user", help="the user the token acts for")],
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="a permission, 'read' (all reading) or 'all'; repeatable"),
    ] = None,
    label: Annotated[str | None, typer.Option(help="what the token is for")] = None,
) -> None:
    """Create an API token; it is printed once and never stored in clear."""
    secret, info = access.create_token(store(), user, scope or ["read"], actor=ACTOR, label=label)
    console.print(f"Token {info.id} for {info.user} (scopes: {', '.join(info.scopes)}):")
    print(secret)
    console.print(
        "Keep it secret: it is shown only now. Use it as 'Authorization: Bearer <token>'."
    )


@token_app.command("list")
@friendly_errors
def token_list(user: Annotated[str | None, typer.Option(help="only this user's")] = None) -> None:
    """List API tokens (their first characters only)."""
    table = Table("id", "user", "starts with", "scopes", "label", "last used", "revoked")
    for t in access.list_tokens(store(), user):
        table.add_row(
            str(t.id),
            t.user,
            t.prefix,
            ", ".join(t.scopes),
            t.label or "",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
            f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "",
        )
    console.print(table)


@token_app.command("revoke")
@friendly_errors
def token_revoke(token_id: int) -> None:
    """Revoke an API token by its id (see `patron token list`)."""
    access.revoke_token(store(), token_id, actor=ACTOR)
    console.print(f"Token {token_id} revoked.")

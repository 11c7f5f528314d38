"""Shared CLI plumbing: the console, opening the store, turning errors into clear messages."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from patron.core import InputError, PatronError, get_settings
from patron.store import Store, open_store

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Show patron's own errors as one readable message and exit 1 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err_console.print(f"[bold red]Input problem:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from exc
        except PatronError as exc:
            err_console.print(f"[bold red]Error:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from exc
        except KeyboardInterrupt as exc:
            err_console.print("[yellow]Stopped.[/] Committed work is kept; resume where noted.")
            raise typer.Exit(130) from exc

    return wrapper  # type: ignore[return-value]


def store() -> Store:
    """The configured store, created or upgraded on first use."""
    return open_store(get_settings())


def is_interactive() -> bool:
    return sys.stderr.isatty()

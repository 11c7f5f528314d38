"""The `patron` command line (entry point: ``patron.cli:main``)."""

from patron.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]

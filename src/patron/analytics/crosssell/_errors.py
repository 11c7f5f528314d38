"""The error cross-sell raises for inputs it cannot use."""

from __future__ import annotations

from patron.core.errors import InputError


class CrossSellInputError(InputError, ValueError):
    """A table or option cannot be used as given; the message says what, the hint how to fix it.

    >>> str(CrossSellInputError("level='brand' is unknown", field="level", hint="use 'product'"))
    "field 'level': level='brand' is unknown (fix: use 'product')"
    """

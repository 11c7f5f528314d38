"""The error the churn model raises for data it cannot use."""

from __future__ import annotations

from patron.core.errors import InputError


class ChurnInputError(InputError, ValueError):
    """X or y cannot be used as given; the message says what is wrong and the hint how to fix it.

    A ``ValueError`` too, so code written against scikit-learn's conventions catches it.

    >>> str(ChurnInputError("y is empty", hint="pass one label per row of X"))
    'y is empty (fix: pass one label per row of X)'
    """

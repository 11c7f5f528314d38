"""The one error type the normalisers raise.

It is both an :class:`~patron.core.errors.InputError` (so the importer can attach file, row
and field and show the fix) and a :class:`ValueError` (so callers that only know the
"parse or raise ValueError" convention keep working).
"""

from __future__ import annotations

from patron.core.errors import InputError


class NormaliseError(InputError, ValueError):
    """A value could not be normalised; ``message`` says why and ``hint`` how to fix it.

    >>> isinstance(NormaliseError("bad"), ValueError)
    True
    """

    def __str__(self) -> str:
        # Normalisers raise without a location (the importer knows file/row/field and adds
        # them), so the text is "what is wrong; how to fix it" as one plain sentence.
        return f"{self.message}; {self.hint}" if self.hint else self.message

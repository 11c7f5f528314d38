"""Seeds and record keys that need no memory, so millions of people stream with flat memory.

* `stream_seed` derives an independent integer seed for (run seed, stream, index): every
  person and household gets its own `random.Random`, so any record can be regenerated from
  its index alone and adding a new field to one stream never shifts the others.
* `scramble` is a bijection of 0..space-1 (an affine map with a multiplier coprime to the
  space). Record keys and phone numbers are `scramble(counter)`: unique without remembering
  which were used, and not in person order, so a matcher cannot cheat by comparing ids.
"""

from __future__ import annotations

from math import gcd

# Stream numbers: keep them stable, changing one changes every generated file.
HOUSEHOLD, PERSON, CATALOGUE, BULK = 1, 2, 3, 4


def stream_seed(seed: int, stream: int, index: int) -> int:
    """An integer seed unique to (seed, stream, index) for index < 2**40."""
    return ((seed & 0xFFFFFFFF) << 48) | (stream << 40) | index


def _multiplier(space: int) -> int:
    """A multiplier near space × golden ratio, coprime to space, so neighbours land far apart."""
    candidate = int(space * 0.6180339887) | 1
    while gcd(candidate, space) != 1:
        candidate += 2
    return candidate


class Scrambler:
    """Unique pseudo-random numbers in [0, space) for counters 0, 1, 2, …

    When space is a power of ten the affine map is followed by two rounds of reversing the
    decimal digits and another affine map (each step a bijection); that hides the constant
    stride a single affine map leaves between neighbouring counters.

    >>> s = Scrambler(1000, offset=7)
    >>> len({s(i) for i in range(1000)})
    1000
    """

    __slots__ = ("digits", "mult", "offset", "space")

    def __init__(self, space: int, offset: int = 0) -> None:
        self.space = space
        self.mult = _multiplier(space)
        self.offset = offset % space
        width = len(str(space)) - 1
        self.digits = width if space == 10**width else 0

    def __call__(self, counter: int) -> int:
        value = (counter * self.mult + self.offset) % self.space
        if self.digits:
            for _ in range(2):
                value = int(f"{value:0{self.digits}d}"[::-1])
                value = (value * self.mult + self.offset // 3) % self.space
        return value


# Key spaces: POS member numbers 88xxxxxxxx, web ids 9 digits 1xxxxxxxx, service ids
# TCxxxxxxxx. Keys that must not exist (dirty references) come from the top of each space.
_POS_SPACE = _WEB_SPACE = _SERVICE_SPACE = 100_000_000


class RecordKeys:
    """Record keys per source: POS 88xxxxxxxx, web 1xxxxxxxx, service TCxxxxxxxx."""

    def __init__(self, seed: int) -> None:
        self.pos = Scrambler(_POS_SPACE, offset=seed * 7919 + 11)
        self.web = Scrambler(_WEB_SPACE, offset=seed * 104_729 + 13)
        self.service = Scrambler(_SERVICE_SPACE, offset=seed * 1_299_709 + 17)
        self.used = {"pos_members": 0, "web_customers": 0, "service_contacts": 0}
        self.missing = 0

    def new(self, source: str) -> str:
        counter = self.used[source]
        self.used[source] = counter + 1
        return self._render(source, counter)

    def _render(self, source: str, counter: int) -> str:
        if source == "pos_members":
            return f"88{self.pos(counter):08d}"
        if source == "web_customers":
            return str(100_000_000 + self.web(counter))
        return f"TC{self.service(counter):08d}"

    def nonexistent(self, source: str) -> str:
        """A well-formed key no record has (counter from the top of the space)."""
        self.missing += 1
        space = _POS_SPACE if source == "pos_members" else _WEB_SPACE
        return self._render(source, space - self.missing)


def fullwidth(text: str) -> str:
    """ASCII digits and '+-' as full-width characters (１３８…), as typed with a Chinese IME."""
    return text.translate(_FULLWIDTH)


_FULLWIDTH = str.maketrans("0123456789+- ", "０１２３４５６７８９＋－　")

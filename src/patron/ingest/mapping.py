"""Column mappings: which column of a file feeds which canonical field.

A mapping comes from automatic header matching (see ``fields``), optionally overridden by a
YAML file. Columns are addressed by header text or, where headers collide, by position
(``"#3"`` is the third column). Nothing is guessed silently: duplicate or ambiguous headers
must be mapped explicitly.

Example mapping file::

    kind: customers
    key: 会员编号            # the record's id in its source system
    columns:                # header -> field; `null` ignores a column
      手机: phone
      备注: null
    consent:                # header -> channel (or channel/purpose)
      接受短信: sms
    codes:                  # code lists per field
      gender: {"1": M, "2": F}
      member_tier: {金卡: gold, 银卡: silver}
    day_first: false
    timezone: Asia/Shanghai
    customer_source: pos    # orders/events: whose customer keys the customer column holds
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from patron.core import InputError
from patron.ingest.fields import (
    CONSENT_CHANNELS,
    FIELDS,
    KEY_FIELD,
    KINDS,
    MULTI_VALUED,
    consent_channel_for_header,
    field_for_header,
    fold_header,
)

_ALLOWED_KEYS = {
    "kind",
    "key",
    "columns",
    "consent",
    "codes",
    "day_first",
    "timezone",
    "customer_source",
    "currency",
    "region",
}


@dataclass
class ColumnMapping:
    """How one file's columns map to canonical fields. JSON-serialisable via ``as_dict``."""

    kind: str
    headers: list[str]
    fields: dict[str, list[int]] = field(default_factory=dict)  # field -> column positions
    consent: dict[int, tuple[str, str]] = field(
        default_factory=dict
    )  # column -> (channel, purpose)
    extra: list[int] = field(default_factory=list)  # unmapped columns, kept as attributes
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    day_first: bool = False
    timezone: str = "Asia/Shanghai"
    customer_source: str | None = None
    currency: str | None = None
    region: str | None = None
    explicit: bool = False

    def column(self, name: str) -> int | None:
        """The first column feeding a field, if any."""
        cols = self.fields.get(name)
        return cols[0] if cols else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "headers": self.headers,
            "fields": self.fields,
            "consent": {str(k): list(v) for k, v in self.consent.items()},
            "extra": self.extra,
            "codes": self.codes,
            "day_first": self.day_first,
            "timezone": self.timezone,
            "customer_source": self.customer_source,
            "currency": self.currency,
            "region": self.region,
            "explicit": self.explicit,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnMapping:
        return cls(
            kind=data["kind"],
            headers=list(data["headers"]),
            fields={k: list(v) for k, v in data["fields"].items()},
            consent={int(k): (v[0], v[1]) for k, v in data["consent"].items()},
            extra=list(data["extra"]),
            codes=dict(data["codes"]),
            day_first=bool(data["day_first"]),
            timezone=data["timezone"],
            customer_source=data.get("customer_source"),
            currency=data.get("currency"),
            region=data.get("region"),
            explicit=bool(data.get("explicit")),
        )

    def describe(self) -> list[tuple[str, str]]:
        """(column header, what it feeds) pairs, for previews."""
        target: dict[int, str] = {}
        for name, cols in self.fields.items():
            for col in cols:
                target[col] = name
        for col, (channel, purpose) in self.consent.items():
            target[col] = f"consent {channel}/{purpose}"
        for col in self.extra:
            target[col] = "kept as attribute"
        return [(h, target.get(i, "ignored")) for i, h in enumerate(self.headers)]


def load_mapping_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping file safely (plain data only, never Python objects)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(
            f"cannot read mapping: {exc}",
            file=str(path),
            hint="give a UTF-8 YAML file like docs/user-guide.md shows",
        ) from exc
    if not isinstance(data, dict):
        raise InputError("mapping must be a YAML mapping (key: value)", file=str(path))
    unknown = set(data) - _ALLOWED_KEYS
    if unknown:
        raise InputError(
            f"unknown mapping keys: {', '.join(sorted(unknown))}",
            file=str(path),
            hint=f"use only {', '.join(sorted(_ALLOWED_KEYS))}",
        )
    return data


def build_mapping(
    kind: str,
    headers: list[str],
    duplicate_headers: list[list[int]] | None = None,
    spec: dict[str, Any] | None = None,
    *,
    file: str | None = None,
) -> ColumnMapping:
    """Map a file's headers to fields: automatic matching, then the spec's overrides.

    >>> m = build_mapping("customers", ["会员编号", "姓名", "手机", "接受短信", "备注"])
    >>> m.fields["source_key"], m.fields["phone"], m.consent, m.extra
    ([0], [2], {3: ('sms', 'marketing')}, [4])
    """
    if kind not in KINDS:
        raise InputError(f"unknown kind '{kind}'", hint=f"use one of {', '.join(KINDS)}")
    spec = spec or {}
    if spec.get("kind") not in (None, kind):
        raise InputError(
            f"mapping is for kind '{spec['kind']}' but the import is '{kind}'",
            file=file,
            hint="pass the matching --kind or mapping file",
        )
    targets: dict[int, str | tuple[str, str] | None] = {}
    explicit_cols: set[int] = set()

    for header_ref, target in (spec.get("columns") or {}).items():
        col = _resolve_column(str(header_ref), headers, file)
        if target is not None and target not in FIELDS[kind]:
            raise InputError(
                f"mapping names unknown field '{target}' for kind '{kind}'",
                file=file,
                field=str(header_ref),
                hint=f"use one of {', '.join(sorted(FIELDS[kind]))} or null",
            )
        targets[col] = target
        explicit_cols.add(col)
    for header_ref, target in (spec.get("consent") or {}).items():
        col = _resolve_column(str(header_ref), headers, file)
        targets[col] = _parse_consent_target(str(target), file, str(header_ref))
        explicit_cols.add(col)
    if spec.get("key") is not None:
        col = _resolve_column(str(spec["key"]), headers, file)
        targets[col] = KEY_FIELD[kind]
        explicit_cols.add(col)

    for group in duplicate_headers or []:
        # Every colliding column must be mapped by hand: no silent last-wins.
        if any(c not in explicit_cols for c in group):
            names = ", ".join(f"#{c + 1} '{headers[c]}'" for c in group)
            raise InputError(
                f"columns {names} have the same or confusable headers",
                file=file,
                row=1,
                hint="map each of them explicitly by position in a mapping file, e.g. "
                f"columns: {{'#{group[0] + 1}': email, '#{group[1] + 1}': null}}",
            )

    for col, header in enumerate(headers):
        if col in targets:
            continue
        auto = field_for_header(kind, header)
        if auto is not None:
            targets[col] = auto
        elif kind == "customers" and (channel := consent_channel_for_header(header)):
            targets[col] = (channel, "marketing")
        else:
            targets[col] = "extra"

    mapping = ColumnMapping(kind=kind, headers=list(headers), explicit=bool(spec))
    for col in range(len(headers)):
        target = targets[col]
        if target is None:
            continue
        if isinstance(target, tuple):
            mapping.consent[col] = target
        elif target == "extra":
            mapping.extra.append(col)
        else:
            mapping.fields.setdefault(target, []).append(col)
    for name, cols in mapping.fields.items():
        if len(cols) > 1 and name not in MULTI_VALUED:
            names = ", ".join(f"'{headers[c]}'" for c in cols)
            raise InputError(
                f"columns {names} all map to '{name}'",
                file=file,
                row=1,
                hint="keep one of them, e.g. columns: {'" + headers[cols[1]] + "': null}",
            )
    codes = spec.get("codes") or {}
    if not isinstance(codes, dict) or not all(isinstance(v, dict) for v in codes.values()):
        raise InputError("codes must map field -> {code: value}", file=file)
    mapping.codes = {f: {str(k): str(v) for k, v in table.items()} for f, table in codes.items()}
    mapping.day_first = bool(spec.get("day_first", False))
    mapping.timezone = str(spec.get("timezone", "Asia/Shanghai"))
    mapping.customer_source = spec.get("customer_source")
    mapping.currency = spec.get("currency")
    mapping.region = spec.get("region")
    return mapping


def _resolve_column(ref: str, headers: list[str], file: str | None) -> int:
    if ref.startswith("#") and ref[1:].isdigit():
        col = int(ref[1:]) - 1
        if 0 <= col < len(headers):
            return col
        raise InputError(
            f"mapping names column {ref} but the file has {len(headers)} columns", file=file
        )
    folded = fold_header(ref)
    matches = [i for i, h in enumerate(headers) if fold_header(h) == folded]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise InputError(
            f"mapping names column '{ref}', which the file does not have",
            file=file,
            hint="the file's columns are: " + ", ".join(headers),
        )
    raise InputError(
        f"mapping names column '{ref}', which appears {len(matches)} times",
        file=file,
        hint=f"address it by position, e.g. '#{matches[0] + 1}'",
    )


def _parse_consent_target(target: str, file: str | None, header: str) -> tuple[str, str]:
    channel, _, purpose = target.partition("/")
    if channel not in CONSENT_CHANNELS:
        raise InputError(
            f"unknown consent channel '{channel}'",
            file=file,
            field=header,
            hint=f"use one of {', '.join(CONSENT_CHANNELS)}",
        )
    return channel, purpose or "marketing"

"""Postal addresses: Chinese divisions (province, city, district) and postcodes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from patron.normalise._divisions import (
    CITIES_BY_PROVINCE,
    EXTRA_SHORT_FORMS,
    MUNICIPALITIES,
    NO_SHORT_FORM,
    PROVINCES,
)
from patron.normalise.text import normalise_text


@dataclass(frozen=True, slots=True)
class AddressResult:
    """A normalised address; division fields are None unless found with confidence."""

    line: str
    country: str | None
    province: str | None
    city: str | None
    district: str | None
    postcode: str | None
    # What follows the divisions (路, 号, building, room), without spaces and postcode: the
    # same place written with or without its province (江苏省南京市… / 南京市…) has the same
    # street. None when no division was recognised, since then nothing is known to strip.
    street: str | None = None


def _build_tables() -> tuple[dict[str, str], dict[str, tuple[str, str, bool]]]:
    provinces: dict[str, str] = {}
    for name, (shorts, _country) in PROVINCES.items():
        provinces[name] = name
        for short in shorts:
            provinces[short] = name
    cities: dict[str, tuple[str, str, bool]] = {}
    for province, names in CITIES_BY_PROVINCE.items():
        for name in names:
            cities[name] = (name, province, False)
            city_shorts: tuple[str, ...] = EXTRA_SHORT_FORMS.get(name, ())
            if name.endswith("市") and name not in NO_SHORT_FORM:
                city_shorts = (name[:-1], *city_shorts)
            for short in city_shorts:
                # A short form equal to a province's (吉林, 海南) would be ambiguous.
                if short not in provinces and len(short) >= 2:
                    cities[short] = (name, province, True)
    return provinces, cities


_PROVINCE_FORMS, _CITY_FORMS = _build_tables()
_MAX_FORM = max(len(f) for f in (*_PROVINCE_FORMS, *_CITY_FORMS))
# After a bare name, these mean it was a street or a district, not the division:
# 北京路 (a street in Guangzhou), 四川北路 (Shanghai), 河北区 (Tianjin), 朝阳区 (Beijing).
_NOT_DIVISION_NEXT = re.compile(r"[东南西北中]?(?:路|街|道|巷|弄|大道|大街)|[区县旗]")
_DISTRICT = re.compile(
    r"[^\d\sA-Za-z路街道巷弄号楼室栋座层村镇乡区县旗,，()（）-]"
    r"[^\d\sA-Za-z路街道巷弄号楼室栋座层村镇乡,，()（）-]{0,14}?(?:区|县|市|旗)"
)
_SHI_DISTRICTS = {
    "中区": frozenset({"济南市", "枣庄市", "乐山市", "内江市"}),
    "北区": frozenset({"青岛市"}),
    "南区": frozenset({"青岛市"}),
}
_COUNTRY_PREFIX = re.compile(
    r"^(?:中华人民共和国|中国大陆|中国|china|p\.?r\.?\s*china|prc)[,，\s]*", re.I
)
_CN_POSTCODE_LABEL = re.compile(r"[(（]?(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})[)）]?")
_CN_POSTCODE_EDGE = re.compile(r"^[(（]?(\d{6})[)）]?(?!\d)|(?<!\d)[(（]?(\d{6})[)）]?$")
_HAN = re.compile(r"[\u4e00-\u9fff]")

_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)
_US_ZIP = re.compile(r"\b[A-Z]{2}\s+(\d{5}(?:-\d{4})?)\b")
_PLAIN_POSTCODE = re.compile(r"(?<![\w-])(\d{5,6})(?![\w-])")
_COUNTRY_SUFFIX = {
    "united kingdom": "GB", "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "great britain": "GB", "usa": "US", "u.s.a.": "US", "united states": "US",
    "united states of america": "US", "us": "US", "germany": "DE", "deutschland": "DE",
    "france": "FR", "japan": "JP", "singapore": "SG", "australia": "AU", "canada": "CA",
    "hong kong": "HK", "macau": "MO", "macao": "MO", "taiwan": "TW", "china": "CN",
    "malaysia": "MY", "south korea": "KR", "korea": "KR", "new zealand": "NZ",
}  # fmt: skip


def _lengths_by_first_char(table: dict[str, object]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for form in table:
        if len(form) >= 2:
            lengths.setdefault(form[0], set()).add(len(form))
    return {ch: tuple(sorted(found, reverse=True)) for ch, found in lengths.items()}


# Per first character, the lengths of the forms starting with it (longest first): _longest
# tries only those instead of every length up to _MAX_FORM.
_FORM_LENGTHS: dict[int, dict[str, tuple[int, ...]]] = {
    id(_PROVINCE_FORMS): _lengths_by_first_char(_PROVINCE_FORMS),  # type: ignore[arg-type]
    id(_CITY_FORMS): _lengths_by_first_char(_CITY_FORMS),  # type: ignore[arg-type]
}


def _longest(table: dict[str, object], text: str, pos: int) -> str | None:
    """The longest form (2 characters or more) in ``table`` that ``text`` has at ``pos``."""
    if pos >= len(text):
        return None
    room = len(text) - pos
    for length in _FORM_LENGTHS[id(table)].get(text[pos], ()):
        if length <= room and (form := text[pos : pos + length]) in table:
            return form
    return None


def _division_follows(text: str, pos: int) -> bool:
    return not _NOT_DIVISION_NEXT.match(text, pos)


def _chinese(line: str) -> AddressResult:
    work, postcode = line, None
    m = _CN_POSTCODE_LABEL.search(work) or _CN_POSTCODE_EDGE.search(work)
    if m is not None:
        postcode = m.group(1) or m.group(2)
        work = work[: m.start()] + work[m.end() :]
    work = work.replace(" ", "")
    country = None
    m = _COUNTRY_PREFIX.match(work)
    if m is not None:
        country, work = "CN", work[m.end() :]

    province = city = district = None
    pos = 0
    prov_form = _longest(_PROVINCE_FORMS, work, 0)  # type: ignore[arg-type]
    city_form = _longest(_CITY_FORMS, work, 0)  # type: ignore[arg-type]
    if city_form and (prov_form is None or len(city_form) > len(prov_form)):
        name, in_province, short = _CITY_FORMS[city_form]
        end = len(city_form)
        # Without a province a bare city name must be followed by a district (广州天河区)
        # or nothing at all; otherwise it is likely a street or a company (中山大学, 南京路).
        if not short or end == len(work) or _DISTRICT.match(work, end):
            province, city, pos = in_province, name, end
    elif prov_form and (
        prov_form == _PROVINCE_FORMS[prov_form] or _division_follows(work, len(prov_form))
    ):
        province, pos = _PROVINCE_FORMS[prov_form], len(prov_form)
        if province in MUNICIPALITIES:
            city = province
            if work.startswith("市", pos):
                pos += 1
        else:
            form = _longest(_CITY_FORMS, work, pos)  # type: ignore[arg-type]
            if form and _CITY_FORMS[form][1] == province:
                name, _, short = _CITY_FORMS[form]
                if not short or _division_follows(work, pos + len(form)):
                    city, pos = name, pos + len(form)
    street = None
    if province is not None:
        m = _DISTRICT.match(work, pos)
        if m is not None and m.group() != city:
            district = m.group()
            pos = m.end()
            # "济南市中区" is 济南 + 市中区, not 济南市 + 中区 (no district is called 中区 there).
            if district in _SHI_DISTRICTS and city in _SHI_DISTRICTS[district]:
                district = "市" + district
        country = PROVINCES[province][1]
        street = work[pos:] or None
    return AddressResult(line, country, province, city, district, postcode, street)


def _foreign(line: str) -> AddressResult:
    postcode = None
    m = _UK_POSTCODE.search(line)
    if m is not None:
        postcode = f"{m.group(1)} {m.group(2)}".upper()
    elif (m := _US_ZIP.search(line)) is not None:
        postcode = m.group(1)
    else:
        # House numbers come first, postcodes last: take the last 5/6-digit number that is
        # not the very first token.
        found = [m for m in _PLAIN_POSTCODE.finditer(line) if m.start() > 0]
        if found:
            postcode = found[-1].group(1)
    tail = line.rsplit(",", 1)[-1].strip().rstrip(".").lower() if "," in line else ""
    return AddressResult(line, _COUNTRY_SUFFIX.get(tail), None, None, None, postcode)


# Customer files repeat addresses (households, offices, re-sent rows); results are immutable.
@lru_cache(maxsize=1 << 16)
def normalise_address(raw: str) -> AddressResult:
    """Normalise an address line and pick out its divisions and postcode.

    Chinese addresses give canonical province, prefecture-level city and district names
    (short forms such as 广东 / 广州 are expanded; a city alone fills its province). Other
    addresses only get their postcode (UK, US ZIP, 5/6 digits) and an explicit trailing
    country; nothing is guessed.

    >>> a = normalise_address("广州天河区体育西路103号")
    >>> (a.province, a.city, a.district)
    ('广东省', '广州市', '天河区')
    """
    line = normalise_text(raw)
    if not line:
        return AddressResult("", None, None, None, None, None)
    if _HAN.search(line):
        return _chinese(line)
    return _foreign(line)


@lru_cache(maxsize=1 << 16)
def address_key(raw: str | None) -> str | None:
    """One place, however its divisions were written, for matching: the city (or province)
    followed by the street, so 江苏省南京市秦淮区建康路10号 and 南京市建康路10号 meet. Lines
    without recognised divisions (foreign addresses) are compared as normalised text.

    >>> address_key("江苏省南京市秦淮区建康路10号") == address_key("南京市建康路10号")
    True
    """
    if not raw:
        return None
    result = normalise_address(raw)
    if result.street is not None:
        return f"{result.city or result.province}{result.street}"
    return result.line.lower() or None

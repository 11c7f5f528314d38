"""English and Simplified Chinese for the web app (Babel catalogs).

Catalogs are ``locale/<lang>/LC_MESSAGES/messages.po``, read and compiled in memory at start
(no build step). The user's choice (a cookie) wins; otherwise the browser's Accept-Language.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from fastapi import Request

LOCALES = {"en": "English", "zh_CN": "简体中文"}
DEFAULT = "en"
LANG_COOKIE = "patron_lang"
CATALOG_DIR = Path(__file__).parent / "locale"


@cache
def translations(locale: str) -> NullTranslations:
    po = CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def negotiate(request: Request) -> str:
    """The locale for this request: ?lang=, the cookie, then Accept-Language."""
    for choice in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if choice in LOCALES:
            return choice
    header = request.headers.get("accept-language", "")
    weighted = []
    for part in header.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        weighted.append((weight, tag.strip().lower()))
    for _, tag in sorted(weighted, reverse=True):
        if tag.startswith("zh") and tag not in ("zh-tw", "zh-hk", "zh-hant", "zh-mo"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT


def N_(message: str) -> str:  # the conventional name for "translate later"
    """Marks a message for the catalog; translated where it is shown."""
    return message


# Words that reach templates as data (roles, kinds, statuses, navigation, permissions), listed
# here so the catalog extractor sees them.
DATA_MESSAGES = (
    N_("Home"), N_("Customers"), N_("Imports"), N_("Users"),
    N_("admin"), N_("marketer"), N_("analyst"), N_("sales"), N_("service"), N_("viewer"),
    N_("customers"), N_("products"), N_("orders"), N_("events"),
    N_("running"), N_("completed"), N_("failed"), N_("rolled_back"), N_("interrupted"),
    N_("granted"), N_("denied"), N_("order"), N_("interaction"), N_("consent"), N_("record"),
    N_("phone"), N_("email"), N_("address"), N_("sms"), N_("mail"), N_("wechat"), N_("push"),
    N_("name"), N_("id"), N_("e-mail"), N_("source id"),
    N_("parse"), N_("validation"), N_("unresolved_reference"),
    N_("See the home dashboard"), N_("Search customers and open their 360 view"),
    N_("Create and edit customers"),
    N_("See phone numbers, e-mails, addresses and birth dates unmasked"),
    N_("Record consent given or withdrawn"), N_("Read products, orders and events"),
    N_("See imports, their progress and rejected rows"), N_("Upload and run imports"),
    N_("Add, disable and change users and their API tokens"),
)  # fmt: skip

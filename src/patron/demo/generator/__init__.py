"""Synthetic multi-source company: customers, products, orders and events with ground truth.

`generate_company` writes a retailer's POS member file (GB18030), web-shop accounts, service
desk contacts, a product catalogue, POS and web order lines (a BG/NBD purchase process),
interaction events, and the ground truth (which record belongs to which person and
household, and each buyer's true purchase parameters). `write_customer_csv` writes one big
customer CSV for import benchmarks (and, on request, who is who). Both are as hard to match as
real member files, at rates set in `HardCases`: households sharing an address, landline and
mailbox, twins, namesakes with look-alike mailboxes, pinyin for hanzi, nicknames, old
addresses and phones, colleagues' switchboards. Everything streams, so millions of people fit
in flat memory, and the same configuration always produces byte-identical files.
"""

from patron.demo.generator.bulk import BULK_CUSTOMER_HEADER, BULK_TRUTH_HEADER, write_customer_csv
from patron.demo.generator.company import CUSTOMER_TRUTH_HEADER, generate_company
from patron.demo.generator.config import GENERATOR_VERSION, DemoConfig, DemoFiles, HardCases
from patron.demo.generator.events import EVENT_FIELDS
from patron.demo.generator.orders import ProcessParams
from patron.demo.generator.records import (
    POS_MEMBER_HEADER,
    SERVICE_CONTACT_FIELDS,
    WEB_CUSTOMER_HEADER,
)
from patron.demo.generator.sales import POS_ORDER_HEADER, WEB_ORDER_HEADER

__all__ = [
    "BULK_CUSTOMER_HEADER",
    "BULK_TRUTH_HEADER",
    "CUSTOMER_TRUTH_HEADER",
    "EVENT_FIELDS",
    "GENERATOR_VERSION",
    "POS_MEMBER_HEADER",
    "POS_ORDER_HEADER",
    "SERVICE_CONTACT_FIELDS",
    "WEB_CUSTOMER_HEADER",
    "WEB_ORDER_HEADER",
    "DemoConfig",
    "DemoFiles",
    "HardCases",
    "ProcessParams",
    "generate_company",
    "write_customer_csv",
]

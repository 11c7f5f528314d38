"""What to generate (`DemoConfig`) and what was written (`DemoFiles`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from patron.demo.generator.orders import ProcessParams

# Bump when the same config starts producing different data, so cached companies (bench/out)
# are generated afresh.
GENERATOR_VERSION = 3


@dataclass(frozen=True)
class HardCases:
    """How often the cases that make real customer data hard to match occur (probabilities).

    The truth stays exact whatever the rates: household members, twins and namesakes are
    different people; nicknames, pinyin, old addresses and old phones are the same person.
    """

    household: float = 0.45  # households of 2–4 people (the rest live alone)
    household_landline: float = 0.45  # households of 2+ sharing a landline (singles: a third)
    family_mailbox: float = 0.2  # households of 2+ with a shared family mailbox
    twins: float = 0.05  # households of 2+ whose two youngest are twins (same birth date)
    namesake: float = 0.02  # Chinese people named 王伟, 李娜 … (the most common full names)
    namesake_same_city: float = 0.3  # of namesake households: living in that name's city
    lookalike_email: float = 0.5  # of namesakes: mailbox name + 2-digit year (li_li75@126.com)
    pinyin: float = 0.65  # self-typed names of Chinese people in pinyin instead of hanzi
    nickname: float = 0.25  # self-typed English names as a nickname (Bob for Robert)
    moved: float = 0.15  # households that moved (some sources keep the old address)
    changed_phone: float = 0.08  # people who changed mobile (some sources keep the old one)
    office_phone: float = 0.6  # of company contacts: giving the switchboard colleagues share

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not 0 <= value <= 1:
                raise ValueError(f"HardCases.{name} must be between 0 and 1, got {value}")


@dataclass(frozen=True)
class DemoConfig:
    """Size, seed and dirt of the synthetic company. Same config → byte-identical files."""

    people: int = 20_000
    seed: int = 42
    end_date: date = date(2026, 6, 30)  # last day of the order history (inclusive)
    years: float = 2.0  # length of the order and event history
    bad_reference_rate: float = 0.005  # share of orders whose customer id does not exist
    bad_value_rate: float = 0.002  # share of order lines with an unparseable date or qty < 0
    products: int = 300  # catalogue size (200–500 is realistic)
    buyer_share: float = 0.85  # share of members/web customers who ever buy
    process: ProcessParams = field(default_factory=ProcessParams)  # BG/NBD and spend
    events: bool = True  # False skips events.jsonl (faster benchmarks of the other files)
    # Only these event types (e.g. the service desk's tickets and calls, which name the
    # contact card they were logged with); None writes all.
    event_types: tuple[str, ...] | None = None
    pos_encoding: str = "gb18030"  # POS exports (members and orders), as Chinese POS write them
    hard: HardCases = field(default_factory=HardCases)  # how often the hard cases occur

    def __post_init__(self) -> None:
        if self.people < 1:
            raise ValueError(f"people must be at least 1, got {self.people}")
        if not 0 < self.years <= 20:
            raise ValueError(f"years must be in (0, 20], got {self.years}")
        for name in ("bad_reference_rate", "bad_value_rate", "buyer_share"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")


@dataclass
class DemoFiles:
    """Paths of everything `generate_company` wrote, and the row count of each file.

    `counts` is keyed by file stem (``pos_members``, ``pos_orders`` …, excluding headers) plus
    ``people``, ``buyers``, ``pos_order_count``, ``web_order_count``, ``bad_reference_orders``
    and ``bad_value_lines``.
    """

    folder: Path
    pos_members: Path
    web_customers: Path
    service_contacts: Path
    products: Path
    pos_orders: Path
    web_orders: Path
    events: Path
    ground_truth: Path
    households: Path
    customer_truth: Path
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def in_folder(cls, folder: Path) -> DemoFiles:
        """The standard file names inside `folder`."""
        return cls(
            folder=folder,
            pos_members=folder / "pos_members.csv",
            web_customers=folder / "web_customers.csv",
            service_contacts=folder / "service_contacts.jsonl",
            products=folder / "products.csv",
            pos_orders=folder / "pos_orders.csv",
            web_orders=folder / "web_orders.csv",
            events=folder / "events.jsonl",
            ground_truth=folder / "ground_truth.csv",
            households=folder / "households.csv",
            customer_truth=folder / "customer_truth.csv",
        )

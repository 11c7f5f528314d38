"""What to generate (`DemoConfig`) and what was written (`DemoFiles`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from patron.demo.generator.orders import ProcessParams


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
    pos_encoding: str = "gb18030"  # POS exports (members and orders), as Chinese POS write them

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

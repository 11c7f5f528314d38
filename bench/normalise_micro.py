"""Microbenchmark of the per-field normalisers (µs per call, best of several runs).

Run: ``uv run python bench/normalise_micro.py``. Targets (2-core machine, full
normalisation at 20,000 rows/s): CN mobile < 8 µs, ASCII e-mail < 8 µs, 2-3 char Chinese
name < 15 µs, ISO / 2024年3月5日 date < 3 µs, common gender < 1 µs.

"warm" cycles through a few values (caches hit, as in a real import where dates and codes
repeat); "cold" uses a fresh value each call (what a high-cardinality column costs).
"""

from __future__ import annotations

import itertools
import random
import timeit
from collections.abc import Callable

from patron.normalise import (
    normalise_address,
    normalise_email,
    normalise_gender,
    normalise_name,
    normalise_phone,
    normalise_text,
    parse_date,
    parse_datetime,
    parse_decimal,
    search_key,
)

N = 20_000
WIDE = {c: c + 0xFEE0 for c in range(0x30, 0x3A)}  # ASCII digits -> full-width digits
rng = random.Random(42)


def bench(label: str, fn: Callable[[str], object], values: list[str], target: float | None) -> None:
    it = itertools.cycle(values)
    runs = timeit.repeat(lambda: fn(next(it)), number=N, repeat=5)
    us = min(runs) / N * 1e6
    verdict = "" if target is None else ("ok" if us < target else "SLOW")
    shown = f"< {target:g}" if target is not None else ""
    print(f"{label:<44} {us:8.2f} µs  {shown:<6} {verdict}")


def fresh(make: Callable[[], str]) -> list[str]:
    return [make() for _ in range(6 * N)]


def main() -> None:
    mobiles = fresh(lambda: f"1{rng.choice('3589')}{rng.randrange(10**9):09d}")
    bench("phone: CN mobile 13800138000 (cold)", normalise_phone, mobiles, 8)
    bench("phone: +86 138-0013-8000 (cold)", normalise_phone,
          [f"+86 {m[:3]}-{m[3:7]}-{m[7:]}" for m in mobiles], 8)  # fmt: skip
    bench("phone: full-width mobile (cold)", normalise_phone,
          [m.translate(WIDE) for m in mobiles], 8)  # fmt: skip
    bench("phone: landline 010-6552 9988 (slow path)", normalise_phone,
          [f"010-{rng.randrange(6000_0000, 6999_9999)}" for _ in range(6 * N)], None)  # fmt: skip
    emails = fresh(lambda: f"user{rng.randrange(10**8)}@{rng.choice(['qq.com', '163.com'])}")
    bench("email: plain ASCII (cold)", normalise_email, emails, 8)
    bench("email: Mixed.Case@QQ.COM (cold)", normalise_email,
          [e.upper() for e in emails], 8)  # fmt: skip
    bench("email: IDN 用户@例子.广告 (cached full)", normalise_email, ["用户@例子.广告"], None)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗欧阳"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超"
    names = fresh(lambda: rng.choice(surnames) + "".join(rng.sample(given, rng.choice([1, 2]))))
    bench("name: 2-3 char Chinese", normalise_name, names, 15)
    bench("name: John Smith", normalise_name, ["John Smith", "Mary Jones", "Smith, John"], None)
    dates = [f"2024-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)]
    bench("date: ISO 2024-03-05 (warm)", parse_date, dates, 3)
    bench("date: 2024年3月5日 (warm)", parse_date,
          [f"2024年{m}月{d}日" for m in range(1, 13) for d in range(1, 29)], 3)  # fmt: skip
    bench("date: ISO (cold, cache cleared)", lambda s: (parse_date.cache_clear(), parse_date(s)),
          dates, None)  # fmt: skip
    bench("datetime: 2024-03-05 10:00:00", parse_datetime, ["2024-03-05 10:00:00"], None)
    bench("gender: 男 / F / female", normalise_gender, ["男", "F", "female", "女士"], 1)
    bench("text: ASCII", normalise_text, ["  Hello   World "], None)
    bench("text: Chinese", normalise_text, ["广东省 广州市　天河区"], None)
    bench("search_key: 张伟 (cached)", search_key, ["张伟"], None)
    bench("decimal: ¥1,234.50", parse_decimal, ["¥1,234.50"], None)
    bench("address: 广东省广州市天河区体育西路103号", normalise_address,
          ["广东省广州市天河区体育西路103号"], None)  # fmt: skip


if __name__ == "__main__":
    main()

"""Product catalogue: categories, fictional brands, bilingual product names, prices.

Brands are invented (no real trademarks). Each category lists item types with a typical price;
products are item × brand × variant with a jittered price ending in 9 like shelf prices do.
Categories also carry co-purchase affinities so baskets look like real baskets (shoes with
socks, formula with diapers) — the later basket-analysis and recommendation steps need that.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True, slots=True)
class Category:
    """A product category with item types (cn, en, typical price), brands and variants."""

    code: str
    name: str
    items: tuple[tuple[str, str, float], ...]
    brands: tuple[tuple[str, str], ...]
    variants: tuple[tuple[str, str], ...]
    weight: float
    affinity: tuple[str, ...]  # categories often bought together with this one


@dataclass(frozen=True, slots=True)
class Product:
    """One row of products.csv."""

    sku: str
    name: str
    category: str
    brand: str
    price: float


# fmt: off
_COLOURS = (("白色", "White"), ("黑色", "Black"), ("藏青", "Navy"), ("灰色", "Grey"),
            ("米色", "Beige"), ("红色", "Red"))
_SIZES = (("小号", "S"), ("中号", "M"), ("大号", "L"), ("加大", "XL"))
_PACKS = (("单装", "Single"), ("两件装", "2-pack"), ("家庭装", "Family pack"))

CATEGORIES: tuple[Category, ...] = (
    Category("APP", "服装 Apparel", (("T恤", "T-shirt", 99), ("衬衫", "Shirt", 199),
             ("牛仔裤", "Jeans", 299), ("羽绒服", "Down jacket", 699), ("连衣裙", "Dress", 259)),
             (("青岚", "Qinglan"), ("禾木", "Hemu"), ("北纬", "Latitude")), _COLOURS, 14,
             ("SHO", "ACC")),
    Category("SHO", "鞋靴 Shoes", (("跑步鞋", "Running shoes", 459),
             ("帆布鞋", "Canvas shoes", 159), ("皮鞋", "Leather shoes", 599),
             ("拖鞋", "Slippers", 39)),
             (("迅步", "Xunbu"), ("远途", "Trailway")), _SIZES, 9, ("APP", "SPO")),
    Category("ACC", "配饰 Accessories", (("袜子", "Socks", 29), ("围巾", "Scarf", 129),
             ("双肩包", "Backpack", 239), ("帽子", "Cap", 69)),
             (("青岚", "Qinglan"), ("拾光", "Shiguang")), _COLOURS, 7, ("APP", "SHO")),
    Category("BEA", "美妆 Beauty", (("面霜", "Face cream", 269), ("口红", "Lipstick", 189),
             ("洗面奶", "Cleanser", 79), ("面膜", "Sheet mask", 99), ("防晒霜", "Sunscreen", 129)),
             (("素颜", "Suyan"), ("花间", "Huajian"), ("Lumière", "Lumière")), _PACKS, 11,
             ("PER",)),
    Category("PER", "个护 Personal care", (("洗发水", "Shampoo", 59), ("牙膏", "Toothpaste", 19),
             ("沐浴露", "Shower gel", 45), ("电动牙刷", "Electric toothbrush", 299)),
             (("清泉", "Qingquan"), ("净白", "Jingbai")), _PACKS, 10, ("BEA", "HOM")),
    Category("BAB", "母婴 Baby", (("奶粉", "Infant formula", 328), ("纸尿裤", "Diapers", 139),
             ("婴儿湿巾", "Baby wipes", 35), ("婴儿推车", "Stroller", 1299)),
             (("贝贝乐", "Beibeile"), ("小树苗", "Sapling")), _PACKS, 7, ("FOO", "TOY")),
    Category("FOO", "食品 Food", (("坚果礼盒", "Nut gift box", 128), ("绿茶", "Green tea", 88),
             ("咖啡豆", "Coffee beans", 98), ("牛肉干", "Beef jerky", 49),
             ("月饼", "Mooncakes", 168)),
             (("山野", "Shanye"), ("老字号", "Laozihao"), ("晨光", "Morninglight")), _PACKS, 12,
             ("DRI",)),
    Category("DRI", "酒饮 Drinks", (("红酒", "Red wine", 239), ("白酒", "Baijiu", 499),
             ("矿泉水", "Mineral water", 29), ("果汁", "Juice", 39)),
             (("醉月", "Zuiyue"), ("清溪", "Qingxi")), _PACKS, 6, ("FOO",)),
    Category("ELE", "数码 Electronics", (("无线耳机", "Wireless earbuds", 399),
             ("充电宝", "Power bank", 149), ("智能手表", "Smartwatch", 1299),
             ("蓝牙音箱", "Bluetooth speaker", 329)),
             (("极客", "Geek"), ("星河", "Galaxia")), _COLOURS[:3], 8, ("ACC", "APL")),
    Category("APL", "家电 Appliances", (("空气炸锅", "Air fryer", 459),
             ("电饭煲", "Rice cooker", 399),
             ("吸尘器", "Vacuum cleaner", 1599), ("电水壶", "Kettle", 129)),
             (("美家", "Meijia"), ("暖居", "Nuanju")), _COLOURS[:2], 5, ("HOM", "KIT")),
    Category("HOM", "家居 Home", (("四件套", "Bedding set", 399), ("毛巾", "Towel", 39),
             ("收纳盒", "Storage box", 59), ("香薰蜡烛", "Scented candle", 89)),
             (("棉语", "Mianyu"), ("暖居", "Nuanju")), _COLOURS, 7, ("KIT", "PER")),
    Category("KIT", "厨具 Kitchen", (("不粘锅", "Non-stick pan", 199),
             ("刀具套装", "Knife set", 299),
             ("保温杯", "Thermos", 129), ("餐具套装", "Tableware set", 189)),
             (("厨神", "Chushen"), ("美家", "Meijia")), _COLOURS[:3], 5, ("HOM", "APL")),
    Category("SPO", "运动 Sports", (("瑜伽垫", "Yoga mat", 129), ("哑铃", "Dumbbells", 199),
             ("运动水壶", "Sports bottle", 59), ("羽毛球拍", "Badminton racket", 269)),
             (("迅步", "Xunbu"), ("远途", "Trailway")), _COLOURS[:3], 5, ("SHO", "APP")),
    Category("TOY", "玩具 Toys", (("积木", "Building blocks", 299), ("毛绒玩具", "Plush toy", 89),
             ("拼图", "Jigsaw puzzle", 69)),
             (("童趣", "Tongqu"), ("小树苗", "Sapling")), _SIZES[:3], 4, ("BAB",)),
)
# fmt: on
CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}
CATEGORY_CUM = tuple(accumulate(c.weight for c in CATEGORIES))


def _shelf_price(rng: random.Random, typical: float) -> float:
    """A price near the typical one that ends in 9 or 9.9 like real shelf prices."""
    raw = typical * rng.uniform(0.7, 1.45)
    if raw < 100:
        return round(max(raw, 9.9) - (raw % 1) + 0.9, 2)
    return float(int(raw / 10) * 10 + 9)


def build_catalogue(seed: int, size: int = 300) -> list[Product]:
    """`size` products (200–500 is realistic), deterministic for a seed.

    Products are spread over categories by category weight; within a category each product
    is an (item, brand, variant) combination not used before.
    """
    rng = random.Random(f"catalogue:{seed}")
    total_weight = CATEGORY_CUM[-1]
    products: list[Product] = []
    for category in CATEGORIES:
        wanted = max(3, round(size * category.weight / total_weight))
        combos = [
            (i, b, v) for i in category.items for b in category.brands for v in category.variants
        ]
        rng.shuffle(combos)
        for number, (
            (item_cn, item_en, typical),
            (brand_cn, brand_en),
            (var_cn, var_en),
        ) in enumerate(combos[:wanted], start=1):
            name = f"{brand_cn}{item_cn}（{var_cn}） {brand_en} {item_en} ({var_en})"
            products.append(
                Product(
                    f"{category.code}-{number:04d}",
                    name,
                    category.name,
                    brand_en,
                    _shelf_price(rng, typical),
                )
            )
    return products

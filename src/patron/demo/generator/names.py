"""Name pools: Chinese surnames by frequency, given-name characters, Western names, nicknames.

Pinyin is stored next to every character (toneless, the way it is typed into web forms), so the
generator needs no pinyin library and the output does not change when one is upgraded.
Surname weights follow the rough national frequencies (per mille); they only need to be
realistic enough that namesakes like 王伟 and 李娜 occur as often as in real member files.
"""

from __future__ import annotations

from itertools import accumulate

# (surname, pinyin, weight). Compound surnames are rare but must be present: they break
# naive "first character is the surname" parsing.
# fmt: off
SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 71), ("李", "li", 70), ("张", "zhang", 68), ("刘", "liu", 54),
    ("陈", "chen", 45), ("杨", "yang", 31), ("黄", "huang", 22), ("赵", "zhao", 21),
    ("吴", "wu", 20), ("周", "zhou", 19), ("徐", "xu", 13), ("孙", "sun", 13), ("马", "ma", 12),
    ("朱", "zhu", 12), ("胡", "hu", 11), ("郭", "guo", 11), ("何", "he", 11), ("高", "gao", 10),
    ("林", "lin", 10), ("罗", "luo", 9), ("郑", "zheng", 9), ("梁", "liang", 8), ("谢", "xie", 7),
    ("宋", "song", 7), ("唐", "tang", 7), ("许", "xu", 6), ("韩", "han", 6), ("冯", "feng", 6),
    ("邓", "deng", 6), ("曹", "cao", 6), ("彭", "peng", 5), ("曾", "zeng", 5), ("肖", "xiao", 5),
    ("田", "tian", 5), ("董", "dong", 5), ("袁", "yuan", 5), ("潘", "pan", 4), ("于", "yu", 4),
    ("蒋", "jiang", 4), ("蔡", "cai", 4), ("余", "yu", 4), ("杜", "du", 4), ("叶", "ye", 4),
    ("程", "cheng", 4), ("苏", "su", 3), ("魏", "wei", 3), ("吕", "lv", 3), ("丁", "ding", 3),
    ("任", "ren", 3), ("沈", "shen", 3), ("姚", "yao", 3), ("卢", "lu", 3), ("姜", "jiang", 3),
    ("崔", "cui", 3), ("钟", "zhong", 3), ("谭", "tan", 3), ("陆", "lu", 3), ("汪", "wang", 3),
    ("范", "fan", 3), ("金", "jin", 3), ("石", "shi", 2), ("廖", "liao", 2), ("贾", "jia", 2),
    ("夏", "xia", 2), ("韦", "wei", 2), ("付", "fu", 2), ("方", "fang", 2), ("白", "bai", 2),
    ("邹", "zou", 2), ("孟", "meng", 2), ("熊", "xiong", 2), ("秦", "qin", 2), ("邱", "qiu", 2),
    ("江", "jiang", 2), ("尹", "yin", 2), ("薛", "xue", 2), ("闫", "yan", 2), ("段", "duan", 2),
    ("雷", "lei", 2), ("侯", "hou", 2), ("龙", "long", 2), ("史", "shi", 2), ("陶", "tao", 1),
    ("黎", "li", 1), ("贺", "he", 1), ("顾", "gu", 1), ("毛", "mao", 1), ("郝", "hao", 1),
    ("龚", "gong", 1), ("邵", "shao", 1), ("万", "wan", 1), ("钱", "qian", 1), ("严", "yan", 1),
    ("覃", "qin", 1), ("武", "wu", 1), ("戴", "dai", 1), ("莫", "mo", 1), ("孔", "kong", 1),
    ("向", "xiang", 1), ("汤", "tang", 1), ("常", "chang", 1), ("章", "zhang", 1),
    ("柳", "liu", 0.5), ("欧阳", "ouyang", 0.5), ("司徒", "situ", 0.2), ("上官", "shangguan", 0.1),
    ("诸葛", "zhuge", 0.1), ("司马", "sima", 0.1), ("皇甫", "huangfu", 0.1),
    ("东方", "dongfang", 0.1),
)
# fmt: on
SURNAME_CUM = tuple(accumulate(w for _, _, w in SURNAMES))

# Given-name characters: (character, pinyin, gender lean m/f/u).
# fmt: off
GIVEN_CHARS: tuple[tuple[str, str, str], ...] = (
    ("伟", "wei", "m"), ("强", "qiang", "m"), ("磊", "lei", "m"), ("军", "jun", "m"),
    ("勇", "yong", "m"), ("杰", "jie", "m"), ("涛", "tao", "m"), ("斌", "bin", "m"),
    ("超", "chao", "m"), ("明", "ming", "m"), ("刚", "gang", "m"), ("平", "ping", "m"),
    ("辉", "hui", "m"), ("鹏", "peng", "m"), ("华", "hua", "m"), ("飞", "fei", "m"),
    ("鑫", "xin", "m"), ("波", "bo", "m"), ("宇", "yu", "m"), ("浩", "hao", "m"),
    ("凯", "kai", "m"), ("健", "jian", "m"), ("俊", "jun", "m"), ("帆", "fan", "m"),
    ("旭", "xu", "m"), ("龙", "long", "m"), ("峰", "feng", "m"), ("建", "jian", "m"),
    ("国", "guo", "m"), ("志", "zhi", "m"), ("东", "dong", "m"), ("海", "hai", "m"),
    ("成", "cheng", "m"), ("亮", "liang", "m"), ("博", "bo", "m"), ("阳", "yang", "m"),
    ("轩", "xuan", "m"), ("睿", "rui", "m"), ("泽", "ze", "m"), ("天", "tian", "m"),
    ("玮", "wei", "m"), ("炜", "wei", "m"), ("维", "wei", "m"), ("林", "lin", "m"),
    ("芳", "fang", "f"), ("娜", "na", "f"), ("敏", "min", "f"), ("静", "jing", "f"),
    ("丽", "li", "f"), ("艳", "yan", "f"), ("娟", "juan", "f"), ("霞", "xia", "f"),
    ("秀", "xiu", "f"), ("英", "ying", "f"), ("玲", "ling", "f"), ("燕", "yan", "f"),
    ("婷", "ting", "f"), ("雪", "xue", "f"), ("慧", "hui", "f"), ("颖", "ying", "f"),
    ("琳", "lin", "f"), ("洁", "jie", "f"), ("晶", "jing", "f"), ("倩", "qian", "f"),
    ("萍", "ping", "f"), ("红", "hong", "f"), ("梅", "mei", "f"), ("莉", "li", "f"),
    ("欣", "xin", "f"), ("怡", "yi", "f"), ("雨", "yu", "f"), ("思", "si", "f"),
    ("萱", "xuan", "f"), ("涵", "han", "f"), ("琪", "qi", "f"), ("璐", "lu", "f"),
    ("瑶", "yao", "f"), ("悦", "yue", "f"), ("彤", "tong", "f"), ("蕾", "lei", "f"),
    ("晓", "xiao", "u"), ("小", "xiao", "u"), ("文", "wen", "u"), ("春", "chun", "u"),
    ("家", "jia", "u"), ("嘉", "jia", "u"), ("一", "yi", "u"), ("雅", "ya", "u"),
    ("丹", "dan", "u"), ("玉", "yu", "u"), ("佳", "jia", "u"), ("子", "zi", "u"),
)
# fmt: on
PINYIN: dict[str, str] = {c: p for c, p, _ in GIVEN_CHARS} | {s: p for s, p, _ in SURNAMES}
MALE_CHARS = tuple(c for c, _, g in GIVEN_CHARS if g in "mu")
FEMALE_CHARS = tuple(c for c, _, g in GIVEN_CHARS if g in "fu")

# Namesakes: the most frequent full names in China, given a boosted share so that the
# resolver must rely on more than the name.
COMMON_NAMES_M = ("张伟", "王伟", "李伟", "刘伟", "王磊", "李强", "张磊", "王勇", "李军", "张杰")
COMMON_NAMES_F = ("王芳", "李娜", "张敏", "李静", "王静", "张丽", "王丽", "李丽", "刘芳", "张静")
COMMON_NAMES = frozenset(COMMON_NAMES_M + COMMON_NAMES_F)

# Characters a clerk may type instead of the real one: same pinyin (IME picks the wrong
# candidate) or similar shape (handwritten forms). Homophones among the pools are added below.
# fmt: off
_LOOKALIKES: dict[str, str] = {
    "张": "章", "章": "张", "杨": "扬", "扬": "杨", "胡": "湖", "刘": "浏", "李": "季", "伟": "韦",
    "娜": "哪", "婷": "停", "芳": "方", "军": "车", "刚": "钢", "斌": "彬", "磊": "垒", "辉": "晖",
    "峰": "锋", "静": "净", "晶": "品", "明": "朋", "丽": "俪", "陈": "程", "王": "汪", "汪": "王",
    "徐": "许", "许": "徐", "林": "琳", "红": "虹",
}
# fmt: on


def _similar_chars() -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for char, pinyin in PINYIN.items():
        if len(char) == 1:
            groups.setdefault(pinyin, []).append(char)
    similar: dict[str, list[str]] = {}
    for members in groups.values():
        for char in members:
            similar[char] = [m for m in members if m != char]
    for char, other in _LOOKALIKES.items():
        similar.setdefault(char, [])
        if other not in similar[char]:
            similar[char].append(other)
    return {c: tuple(o) for c, o in similar.items() if o}


SIMILAR_CHARS: dict[str, tuple[str, ...]] = _similar_chars()

# fmt: off
WESTERN_MALE = (
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Steven", "Andrew", "Joshua",
    "Kevin", "Peter", "Benjamin", "Samuel", "Jonathan", "Edward", "Alexander", "Nicholas",
    "Patrick", "Timothy", "Mark", "Paul", "Lukas",
)
# fmt: on
# fmt: off
WESTERN_FEMALE = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
    "Karen", "Margaret", "Emily", "Emma", "Olivia", "Sophie", "Katherine", "Rebecca", "Laura",
    "Anna", "Victoria", "Charlotte", "Hannah", "Rachel", "Amanda", "Christine",
)
# fmt: on
# fmt: off
WESTERN_SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
    "Anderson", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
    "Campbell", "Mitchell", "Roberts", "Carter", "Evans", "Turner", "Murphy", "Kelly", "O'Brien",
    "MacDonald", "Müller", "Schmidt", "Dubois", "Rossi", "García", "Novak",
)
# fmt: on
# fmt: off
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Lizzie", "Betty"), "James": ("Jim", "Jimmy", "Jamie"),
    "John": ("Jack", "Johnny"), "Michael": ("Mike", "Mick"), "Richard": ("Rick", "Dick"),
    "Joseph": ("Joe",), "Thomas": ("Tom", "Tommy"), "Charles": ("Charlie", "Chuck"),
    "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",),
    "Anthony": ("Tony",), "Steven": ("Steve",), "Andrew": ("Andy", "Drew"), "Joshua": ("Josh",),
    "Benjamin": ("Ben",), "Samuel": ("Sam",), "Jonathan": ("Jon",),
    "Edward": ("Ed", "Ted", "Eddie"), "Alexander": ("Alex",), "Nicholas": ("Nick",),
    "Patrick": ("Pat",), "Timothy": ("Tim",), "Peter": ("Pete",), "David": ("Dave",),
    "Patricia": ("Pat", "Patty"), "Jennifer": ("Jen", "Jenny"),
    "Margaret": ("Maggie", "Peggy", "Meg"), "Katherine": ("Kate", "Kathy", "Katie"),
    "Rebecca": ("Becky",), "Victoria": ("Vicky",), "Susan": ("Sue",), "Jessica": ("Jess",),
    "Barbara": ("Barb",), "Christine": ("Chris", "Tina"), "Amanda": ("Mandy",),
    "Samantha": ("Sam",), "Hannah": ("Annie",),
}
# fmt: on


def pinyin(chars: str) -> str:
    """Toneless pinyin of pool characters, capitalised as on a web form: 晓明 → 'Xiaoming'."""
    return "".join(PINYIN.get(c, c) for c in chars).capitalize()

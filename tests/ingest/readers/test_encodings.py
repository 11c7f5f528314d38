"""Real files in each encoding: detected right, decoded exactly, or refused as uncertain."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from patron.core.errors import EncodingUncertainError, InputError
from patron.ingest.readers import detect_encoding, open_table
from patron.ingest.readers.encoding import SAMPLE_BYTES, read_sample, resolve_encoding

# (how the file is written, extension/delimiter, expected codec, expected label)
CASES = [
    ("utf-8", ",", "utf-8", "UTF-8"),
    ("utf-8-sig", ",", "utf-8-sig", "UTF-8 with BOM"),
    ("utf-16-le-bom", "\t", "utf-16", "UTF-16 LE"),
    ("utf-16-be-bom", ",", "utf-16", "UTF-16 BE"),
    ("gb18030", ",", "gb18030", "GB18030/GBK"),
    ("cp936", ",", "gb18030", "GB18030/GBK"),
    ("cp950", ",", "cp950", "Big5"),
]


def _clean(text: str) -> bool:
    return "\ufffd" not in text and not any("\ue000" <= ch <= "\uf8ff" for ch in text)


@pytest.mark.parametrize(("written", "delimiter", "codec", "label"), CASES)
def test_fixture_round_trips_exactly(fx, write_file, written, delimiter, codec, label):
    headers, rows = fx.fixture_rows(written)
    data = fx.encode(fx.csv_text(headers, rows, delimiter), written)
    path = write_file("customers.csv", data)
    with open_table(path) as table:
        got = list(table)
        info = table.info
    assert info.encoding is not None
    assert (info.encoding.encoding, info.encoding.label) == (codec, label)
    assert info.encoding.reason
    assert info.delimiter == delimiter
    assert info.headers == headers  # first header without BOM
    assert [r.values for r in got] == rows
    assert all(r.error is None for r in got)
    assert [r.row_number for r in got] == list(range(2, len(rows) + 2))
    for row in got:
        for value in row.values:
            assert _clean(value)
            assert unicodedata.is_normalized("NFC", value)


@pytest.mark.parametrize("written", ["utf-8", "utf-16-le-bom", "gb18030", "cp936", "cp950"])
def test_fixtures_hold_the_characters_they_can(fx, written):
    _, rows = fx.fixture_rows(written)
    text = "".join(v for row in rows for v in row)
    expected = {c for c in fx.specials if fx.can_hold(written, c)}
    assert {c for c in fx.specials if c in text} == expected
    if written in ("utf-8", "gb18030"):
        assert {"䶮", "𠀀"} <= expected
    if written == "utf-8":
        assert "😀" in expected


def test_cp936_euro_byte_decodes_as_euro(write_file):
    data = "姓名,备注\n张三,余额".encode("gbk") + b"\x80" + b"5\n"
    assert b"\x80" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")  # Python's gbk can't: the reader has to handle it itself
    with open_table(write_file("euro.csv", data)) as table:
        assert [r.values for r in table] == [["张三", "余额€5"]]


def test_pipe_delimited_gbk_with_trail_byte_equal_to_pipe(write_file):
    # 東 is 96 7C in GBK: its trail byte is "|"; splitting bytes first would break the field
    assert "東".encode("gbk") == b"\x96|"
    text = "姓名|城市|备注\n王東|東京|東区分店\n李四|北京|无\n张三|上海市浦东新区|老客户\n"
    with open_table(write_file("pipe.txt", text.encode("gbk"))) as table:
        assert table.info.delimiter == "|"
        assert table.info.encoding is not None
        assert table.info.encoding.encoding == "gb18030"
        assert [r.values for r in table] == [
            ["王東", "東京", "東区分店"],
            ["李四", "北京", "无"],
            ["张三", "上海市浦东新区", "老客户"],
        ]


def test_big5_names_and_addresses_detected_as_big5_not_gb18030(fx, write_file):
    words = fx.words
    lines = ["姓名,地址"] + [
        f"{s}{g},{a}"
        for s, g, a in zip(
            words["surnames_traditional"],
            words["given_traditional"] * 3,
            words["addresses_traditional"] * 5,
            strict=False,
        )
    ]
    data = ("\n".join(lines) + "\n").encode("cp950")
    data.decode("gb18030")  # the trap: it decodes "fine" as GB18030, into garbage
    guess = detect_encoding(data)
    assert guess.label == "Big5"
    assert guess.confidence > 0.99


def test_gbk_detected_as_gb18030(fx):
    words = fx.words
    text = "\n".join(
        f"{s}{g},{a}"
        for s, g, a in zip(
            words["surnames_simplified"],
            words["given_simplified"],
            words["addresses_simplified"] * 3,
            strict=False,
        )
    )
    guess = detect_encoding(text.encode("gbk"))
    assert (guess.encoding, guess.label) == ("gb18030", "GB18030/GBK")


def _short_sample(rng: random.Random, words: dict, kind: str, n: int) -> str:
    parts = []
    for _ in range(n):
        r = rng.random()
        name = rng.choice(words[f"surnames_{kind}"]) + rng.choice(words[f"given_{kind}"])
        if r < 0.5:
            parts.append(name)
        elif r < 0.8:
            parts.append(rng.choice(words[f"addresses_{kind}"]))
        else:
            parts.append(f"{name},138{rng.randrange(10**8):08d}")
    return "\n".join(parts) + "\n"


def test_short_samples_are_right_or_uncertain_never_wrong(fx):
    """3-20 random names/addresses, written as GBK and as Big5: never a silent wrong decode."""
    rng = random.Random(20240501)
    wrong, uncertain, uncertain_long, total, total_long = [], 0, 0, 0, 0
    candidates: set[str] = set()
    cases = [("simplified", "gbk", "gb18030"), ("traditional", "cp950", "cp950"),
             ("traditional", "gbk", "gb18030")]  # fmt: skip
    for _ in range(400):
        n = rng.randint(3, 20)
        for kind, written, expected in cases:
            text = _short_sample(rng, fx.words, kind, n)
            data = text.encode(written)
            total += 1
            long = len(data) >= 200
            total_long += long
            try:
                guess = detect_encoding(data)
            except EncodingUncertainError as exc:
                candidates.update(exc.candidates)
                uncertain += 1
                uncertain_long += long
                continue
            if guess.encoding != expected or data.decode(guess.encoding) != text:
                wrong.append((text, written, guess))
    assert wrong == []
    assert candidates <= {"gb18030", "cp950", "big5hkscs"}
    assert uncertain / total < 0.05, (uncertain, total)
    assert uncertain_long / max(total_long, 1) < 0.01, (uncertain_long, total_long)


def test_tiny_ambiguous_input_raises_with_candidates():
    data = "孙".encode("gbk")  # one character: could be either charset
    with pytest.raises(EncodingUncertainError) as info:
        detect_encoding(data)
    assert "gb18030" in info.value.candidates
    assert "--encoding" in str(info.value)


@pytest.mark.parametrize(
    ("text", "written", "codec"),
    [
        ("Café, Müller, José García", "utf-8", "utf-8"),
        ("Name,City\nHélène Dubois,Paris\nJürgen Müller,München\n", "cp1252", "cp1252"),
        ("name,city\nalice,berlin\n", "ascii", "utf-8"),
    ],
)
def test_western_text(text, written, codec):
    assert detect_encoding(text.encode(written)).encoding == codec


def test_sample_cut_inside_a_multibyte_character_is_fine():
    text = "王伟,北京市朝阳区建国路88号\n" * 5000
    data = text.encode("gbk")[:SAMPLE_BYTES]
    for cut in (SAMPLE_BYTES - 1, SAMPLE_BYTES):
        for codec, blob in (("gb18030", data), ("utf-8", text.encode("utf-8"))):
            assert detect_encoding(blob[:cut], complete=False).encoding == codec


def test_ascii_head_then_chinese_later_is_detected_from_the_chinese(write_file):
    head = "id,name,city\n" + "".join(f"{i},Alice Smith,London\n" for i in range(4000))
    assert len(head) > SAMPLE_BYTES
    tail = "".join(f"{i},陳志明,台北市信義區信義路五段7號\n" for i in range(4000, 4100))
    path = write_file("late.csv", (head + tail).encode("cp950"))
    sample, _ = read_sample(path)
    assert not sample.isascii()
    with open_table(path) as table:
        assert table.info.encoding is not None
        assert table.info.encoding.label == "Big5"
        rows = list(table)
    assert rows[-1].values == ["4099", "陳志明", "台北市信義區信義路五段7號"]
    assert all(r.error is None for r in rows)


def test_utf16_without_bom_detected():
    text = "姓名,手机,城市\n" + "".join(f"张三,1380013{i:04d},北京\n" for i in range(20))
    assert detect_encoding(text.encode("utf-16-le")).encoding == "utf-16-le"
    assert detect_encoding(text.encode("utf-16-be")).encoding == "utf-16-be"


def test_encoding_override_and_labels(write_file):
    assert resolve_encoding("GBK").encoding == "gb18030"
    assert resolve_encoding("big5").encoding == "cp950"
    assert resolve_encoding("UTF-8").label == "UTF-8"
    with pytest.raises(InputError, match="unknown encoding"):
        resolve_encoding("klingon-8")
    path = write_file("forced.csv", "姓名\n孙\n".encode("gbk"))
    with open_table(path, encoding="gbk") as table:
        assert [r.values for r in table] == [["孙"]]


def test_bytes_invalid_in_the_chosen_encoding_become_error_rows(write_file):
    data = "name,city\nann,köln\n".encode() + b"bob,\xff\xfe\n" + b"cy,paris\n"
    with open_table(write_file("bad.csv", data), encoding="utf-8") as table:
        rows = list(table)
    assert [r.error is None for r in rows] == [True, False, True]
    assert "not valid UTF-8" in (rows[1].error or "")


def test_uncertain_file_raises_from_open_table(write_file):
    with pytest.raises(EncodingUncertainError):
        open_table(write_file("tiny.csv", "名\n孙\n".encode("gbk")))


def test_detection_reads_at_most_the_sample(tmp_path: Path):
    path = tmp_path / "big.csv"
    path.write_bytes(("王伟,北京\n" * 100_000).encode("gbk"))
    sample, complete = read_sample(path)
    assert len(sample) == SAMPLE_BYTES
    assert not complete


def test_hong_kong_big5_hkscs(write_file):
    text = "姓名,地址,備註\n陳大文,香港九龍旺角彌敦道,唔該㗎\n黃小明,香港中環皇后大道中,冇問題\n"
    with open_table(write_file("hk.csv", text.encode("big5hkscs"))) as table:
        assert table.info.encoding is not None
        assert table.info.encoding.label == "Big5-HKSCS"
        assert next(r.values for r in table) == ["陳大文", "香港九龍旺角彌敦道", "唔該㗎"]

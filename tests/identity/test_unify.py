"""`patron unify` on the demo company: merges checked against the generator's truth, stable ids,
incremental runs, the review queue's decisions, households, the CLI, and a merge racing an
import losing nothing."""

from __future__ import annotations

import csv
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from company_data import load_company
from sqlalchemy import event, func, select
from typer.testing import CliRunner

from patron.core import ConflictError, Settings, get_settings
from patron.demo import run_demo
from patron.demo.runner import SOURCE_OF_FILE
from patron.identity import (
    customer_identity,
    decide,
    list_reviews,
    merge_customers,
    pairs_within,
    pairwise_scores,
    resolve_customer,
    unify,
    unmerge,
)
from patron.identity.merge import MOVED_WITH_CUSTOMER
from patron.ingest import ImportOptions, run_import
from patron.store import Store, open_store
from patron.store.schema import (
    audit_log,
    customers,
    household_members,
    match_reviews,
    source_records,
    sources,
)
from patron.store.schema import orders as orders_table

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    home = tmp_path_factory.mktemp("unify-demo")
    result = run_demo(people=400, seed=21, settings=Settings(home=home))
    return home / "patron.db", result.folder / "ground_truth.csv"


@pytest.fixture
def demo(demo_home: tuple[Path, Path], tmp_path: Path) -> tuple[Store, Settings, dict]:
    """A fresh copy of the demo store (the module's import is done once)."""
    database, truth_file = demo_home
    settings = Settings(home=tmp_path / "home")
    settings.home.mkdir()
    with sqlite3.connect(database) as src, sqlite3.connect(settings.home / "patron.db") as dst:
        src.backup(dst)
    with truth_file.open(encoding="utf-8") as fh:
        person = {(SOURCE_OF_FILE[r["source"]], r["source_record_key"]): r["person_id"]
                  for r in csv.DictReader(fh)}  # fmt: skip
    return open_store(settings), settings, person


def current_records(store: Store) -> list[tuple[int, str, str, int]]:
    sr = source_records.c
    with store.connect() as conn:
        return [
            (int(r.id), r.name, r.source_key, int(r.customer_id))
            for r in conn.execute(
                select(sr.id, sources.c.name, sr.source_key, sr.customer_id)
                .join(sources, sources.c.id == sr.source_id)
                .where(sr.kind == "customers", sr.is_current)
            )
        ]


def cluster_scores(store: Store, person: dict) -> object:
    by_customer: dict[int, list[int]] = {}
    by_person: dict[str, list[int]] = {}
    for rid, source, key, cid in current_records(store):
        by_customer.setdefault(cid, []).append(rid)
        by_person.setdefault(person[(source, key)], []).append(rid)
    return pairwise_scores(pairs_within(by_customer.values()), pairs_within(by_person.values()))


def test_full_run_merges_the_demo_duplicates_and_later_runs_are_incremental(demo) -> None:  # type: ignore[no-untyped-def]
    store, _, person = demo
    report = unify(store, actor="tester")
    assert report.mode == "full" and report.merges > 50 and report.reviews > 0
    scores = cluster_scores(store, person)
    # At the automatic threshold (0.95); doubtful pairs go to review instead.
    assert scores.precision >= 0.99 and scores.f1 >= 0.75, scores  # type: ignore[attr-defined]
    with store.connect() as conn:
        owners = {cid for *_, cid in current_records(store)}
        statuses = dict(
            conn.execute(
                select(customers.c.status, func.count()).group_by(customers.c.status)
            ).all()
        )
        assert statuses["merged"] == report.merges
        assert all(
            s == "active"
            for s in conn.execute(
                select(customers.c.status).where(customers.c.id.in_(owners))
            ).scalars()
        )
        audited = conn.execute(
            select(func.count()).where(audit_log.c.action == "customer.merged")
        ).scalar_one()
        assert audited == report.merges
        assert conn.execute(select(func.count()).select_from(household_members)).scalar_one() > 0
    ids_before = current_records(store)
    again = unify(store, actor="tester")
    assert (again.mode, again.new_records, again.merges, again.reviews) == ("incremental", 0, 0, 0)
    assert current_records(store) == ids_before  # customer ids are stable across runs
    full = unify(store, full=True, actor="tester")
    assert full.merges == 0 and full.reviews == 0 and current_records(store) == ids_before


def test_incremental_run_matches_new_records_against_existing_customers(demo) -> None:  # type: ignore[no-untyped-def]
    store, settings, _ = demo
    unify(store, actor="tester")
    sr = source_records.c
    with store.connect() as conn:
        pos = conn.execute(
            select(sr.source_key, sr.parsed, sr.customer_id)
            .join(sources, sources.c.id == sr.source_id)
            .where(
                sources.c.name == "pos",
                sr.is_current,
                sr.parsed["phones"][0]["value"].as_string().is_not(None),
            )
            .order_by(sr.id)
            .limit(30)
        ).all()
    path = settings.home / "callcenter.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["member_id", "name", "phone", "birthday"])
        for i, (_, parsed, _) in enumerate(pos):
            phone = parsed["phones"][0]["value"]  # +86... written the way call centres do
            writer.writerow(
                [
                    f"C{i}",
                    parsed["full_name"],
                    f"0086 {phone[3:6]} {phone[6:]}",
                    parsed.get("birth_date") or "",
                ]
            )
    run_import(
        ImportOptions(path=path, source="callcenter", kind="customers", workers=0),
        store=store,
        settings=settings,
    )
    report = unify(store, actor="tester")
    assert report.mode == "incremental" and report.new_records == 30
    assert report.merges >= 25
    with store.connect() as conn:
        joined = 0
        for i, (_, _, original) in enumerate(pos):
            new = conn.execute(
                select(sr.customer_id)
                .join(sources, sources.c.id == sr.source_id)
                .where(sources.c.name == "callcenter", sr.source_key == f"C{i}")
            ).scalar_one()
            joined += resolve_customer(conn, new) == resolve_customer(conn, original)
    assert joined >= 25


def test_review_decisions_merge_or_keep_apart_for_good(demo) -> None:  # type: ignore[no-untyped-def]
    store, _, _ = demo
    unify(store, actor="tester")
    with store.connect() as conn:
        pending, total = list_reviews(conn, limit=100)
    assert total == len(pending) >= 2
    first = pending[0]
    # A pair of two other customers (several pairs can join the same two customers).
    taken = {first.left.customer_id, first.right.customer_id}
    second = next(p for p in pending[1:] if not {p.left.customer_id, p.right.customer_id} & taken)
    also = next(
        (p for p in pending[1:] if {p.left.customer_id, p.right.customer_id} == taken), None
    )
    assert {e["field"] for e in first.evidence} >= {"name_tokens", "phone", "birth_date"}
    with store.begin() as conn:
        accepted = decide(conn, first.id, "accept", actor="ana", note="same person")
        rejected = decide(conn, second.id, "reject", actor="ana")
    assert accepted.status == "accepted" and accepted.merge_id is not None
    assert rejected.status == "rejected" and rejected.decided_by == "ana"
    with store.connect() as conn:
        assert resolve_customer(conn, first.left.customer_id) == resolve_customer(
            conn, first.right.customer_id
        )
    with store.begin() as conn, pytest.raises(ConflictError, match="accepted"):
        decide(conn, first.id, "reject", actor="ana")
    if also is not None:  # the same two customers' other pair needs no decision any more
        with store.connect() as conn:
            status = select(match_reviews.c.status).where(match_reviews.c.id == also.id)
            assert conn.execute(status).scalar_one() == "superseded"
    unify(store, full=True, actor="tester")
    with store.connect() as conn:
        assert resolve_customer(conn, second.left.customer_id) != resolve_customer(
            conn, second.right.customer_id
        )
        statuses = (
            conn.execute(
                select(match_reviews.c.status).where(match_reviews.c.id.in_([first.id, second.id]))
            )
            .scalars()
            .all()
        )
        assert sorted(statuses) == ["accepted", "rejected"]
        pairs = conn.execute(
            select(func.count()).where(
                match_reviews.c.record_l == second.left.record_id,
                match_reviews.c.record_r == second.right.record_id,
            )
        ).scalar_one()
        assert pairs == 1  # never queued again


def test_an_unmerged_pair_is_not_merged_again(demo) -> None:  # type: ignore[no-untyped-def]
    store, _, _ = demo
    unify(store, actor="tester")
    with store.connect() as conn:
        survivor, merged = conn.execute(
            select(customers.c.merged_into_id, customers.c.id)
            .where(customers.c.status == "merged")
            .limit(1)
        ).one()
        merge_id = customer_identity(conn, merged).merges[-1].id
    with store.begin() as conn:
        unmerge(conn, merge_id, actor="ana", reason="twins")
    unify(store, full=True, actor="tester")
    with store.connect() as conn:
        assert resolve_customer(conn, merged) == merged
        assert resolve_customer(conn, survivor) == survivor


def test_household_members_are_linked_not_merged(demo) -> None:  # type: ignore[no-untyped-def]
    store, settings, _ = demo
    path = settings.home / "family.csv"
    path.write_text(
        "member_id,family_name,given_name,mobile,birthday,address\n"
        "F1,欧阳,明轩,13811112222,1975-02-03,上海市徐汇区漕溪北路88号5栋1201室\n"
        "F2,欧阳,雨桐,13933334444,2003-08-09,上海市徐汇区漕溪北路88号5栋1201室\n",
        encoding="utf-8",
    )
    run_import(
        ImportOptions(path=path, source="family", kind="customers", workers=0),
        store=store,
        settings=settings,
    )
    unify(store, actor="tester")
    sr = source_records.c
    with store.connect() as conn:
        ids = [
            conn.execute(select(sr.customer_id).where(sr.source_key == key)).scalar_one()
            for key in ("F1", "F2")
        ]
        assert ids[0] != ids[1]
        homes = [customer_identity(conn, i).household_id for i in ids]
    assert homes[0] is not None and homes[0] == homes[1]


def test_cli_unify_review_show_and_unmerge(demo, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from patron.cli import app

    store, settings, _ = demo
    monkeypatch.setenv("PATRON_HOME", str(settings.home))
    monkeypatch.delenv("PATRON_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        result = runner.invoke(app, ["unify"])
        assert result.exit_code == 0, result.output
        assert "full" in result.output and "identity review" in result.output
        listed = runner.invoke(app, ["identity", "review", "--list", "--limit", "5"])
        assert listed.exit_code == 0 and "pending pair(s)" in listed.output
        with store.connect() as conn:
            pending, _ = list_reviews(conn, limit=1)
        accepted = runner.invoke(app, ["identity", "review", "--accept", str(pending[0].id)])
        assert accepted.exit_code == 0 and "accepted as merge" in accepted.output, accepted.output
        again = runner.invoke(app, ["identity", "review", "--reject", str(pending[0].id)])
        assert again.exit_code == 1 and "only pending pairs" in again.output
        survivor = min(pending[0].left.customer_id, pending[0].right.customer_id)
        merged = max(pending[0].left.customer_id, pending[0].right.customer_id)
        shown = runner.invoke(app, ["identity", "show", str(merged)])
        assert shown.exit_code == 0 and f"merged into customer {survivor}" in shown.output
        undone = runner.invoke(app, ["identity", "unmerge", str(merged), "--reason", "check"])
        assert undone.exit_code == 0 and "separate from customer" in undone.output, undone.output
        links = settings.home / "links.csv"
        exported = runner.invoke(app, ["identity", "export-links", str(links), "--current"])
        assert exported.exit_code == 0, exported.output
        with links.open(encoding="utf-8-sig") as fh:
            written = {(r["source"], r["source_record_key"]): int(r["customer_id"])
                       for r in csv.DictReader(fh)}  # fmt: skip
        assert {(s, k): c for _, s, k, c in current_records(store)} == written
        missing = runner.invoke(app, ["identity", "show", "999999"])
        assert missing.exit_code == 1 and "no customer 999999" in missing.output
    finally:
        get_settings.cache_clear()


# The first read of an import chunk: which record (and customer) a key has, for customer rows
# and for orders.
CHUNK_READS = (
    "SELECT source_records.id, source_records.source_key",
    "SELECT source_records.source_key, source_records.customer_id",
)


def _import(path: Path, kind: str, store: Store, settings: Settings) -> None:
    run_import(
        ImportOptions(path=path, source="pos", kind=kind, workers=0), store=store, settings=settings
    )


def test_a_merge_racing_an_import_loses_nothing(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    """A merge that starts while an import chunk has read which customer a record belongs to
    (and not yet written) waits for the chunk: the chunk's rows are then moved with the rest.
    Without the customer-links lock the new rows would stay on the merged customer."""
    ids = load_company(store, settings, tmp_path)
    importer = threading.current_thread()
    read = threading.Event()
    errors: list[BaseException] = []

    def pause_after_read(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if (
            threading.current_thread() is importer
            and not read.is_set()
            and statement.startswith(
                (
                    "SELECT source_records.id, source_records.source_key",
                    "SELECT source_records.source_key, source_records.customer_id",
                )
            )
        ):
            read.set()
            time.sleep(0.6)  # the merge runs now, if nothing stops it

    def merge_when_read(survivor: int, merged: int) -> None:
        try:
            assert read.wait(60)
            with store.begin() as conn:
                merge_customers(conn, survivor, merged, actor="race", reason="race")
        except BaseException as exc:  # reported below
            errors.append(exc)

    event.listen(store.engine, "after_cursor_execute", pause_after_read)
    try:
        # 1. a changed customer record of P1 while P1 merges into W1
        merging = threading.Thread(target=merge_when_read, args=(ids["W1"], ids["P1"]))
        merging.start()
        path = tmp_path / "pos-update.csv"
        path.write_text("member_id,name,mobile,city\nP1,张伟,13800138000,杭州\n", encoding="utf-8")
        run_import(
            ImportOptions(path=path, source="pos", kind="customers", workers=0),
            store=store,
            settings=settings,
        )
        merging.join(60)
        # 2. an order of P2 while P2 merges into W2
        read.clear()
        merging = threading.Thread(target=merge_when_read, args=(ids["W2"], ids["P2"]))
        merging.start()
        orders = tmp_path / "late-orders.csv"
        orders.write_text("order_id,member_id,date,amount\nL1,P2,2025-06-01,10\n", encoding="utf-8")
        run_import(
            ImportOptions(path=orders, source="pos", kind="orders", workers=0),
            store=store,
            settings=settings,
        )
        merging.join(60)
    finally:
        event.remove(store.engine, "after_cursor_execute", pause_after_read)
    assert not errors, errors
    sr = source_records.c
    with store.connect() as conn:
        p1 = conn.execute(
            select(sr.customer_id, sr.parsed).where(sr.source_key == "P1", sr.is_current)
        ).one()
        assert p1.customer_id == ids["W1"] and p1.parsed["city"] == "杭州"
        for table in MOVED_WITH_CUSTOMER:
            stranded = conn.execute(
                select(func.count()).where(table.c.customer_id.in_([ids["P1"], ids["P2"]]))
            ).scalar_one()
            assert stranded == 0, table.name
        late = conn.execute(
            select(orders_table.c.customer_id).where(orders_table.c.order_key == "L1")
        )
        assert late.scalar_one() == ids["W2"]


def test_people_s_decisions_calibrate_the_merge_threshold() -> None:
    from patron.identity.review import calibrated_threshold

    sure = [(0.99 - i / 1000, True) for i in range(40)]  # 0.99 .. 0.951: all accepted
    mixed = [(0.9 - i / 100, i % 2 == 1) for i in range(20)]  # from 0.9 down: half rejected
    assert calibrated_threshold(sure + mixed, 0.95, floor=0.5) == 0.95  # only ever lowered
    assert calibrated_threshold(sure + mixed, 0.96, floor=0.5) == pytest.approx(0.951)
    assert calibrated_threshold(sure[:10], 0.96, floor=0.5) == 0.96  # too few decisions
    lower = [(0.99 - i / 200, True) for i in range(60)]  # accepted down to 0.695
    assert calibrated_threshold(lower, 0.95, floor=0.5) == pytest.approx(0.695)
    assert calibrated_threshold(lower, 0.95, floor=0.8) == 0.8
    wrong = [(0.97, False)] * 5 + sure  # unmerged automatic merges at the top
    assert calibrated_threshold(wrong, 0.95, floor=0.5) == 0.95


def test_unify_merges_lower_when_decisions_support_it(demo) -> None:  # type: ignore[no-untyped-def]
    """35 pairs people accepted at 0.9: the next run merges from 0.9 instead of 0.95."""
    from patron.core import utcnow

    store, _, _ = demo
    sr = source_records.c
    with store.begin() as conn:
        rows = conn.execute(
            select(sr.id, sr.customer_id).where(sr.kind == "customers").order_by(sr.id).limit(70)
        ).all()
        conn.execute(
            match_reviews.insert(),
            [
                {
                    "record_l": a.id, "record_r": b.id, "customer_l": a.customer_id,
                    "customer_r": b.customer_id, "match_probability": 0.9, "match_weight": 3.0,
                    "evidence": [], "status": "accepted", "created_at": utcnow(),
                    "decided_at": utcnow(), "decided_by": "ana",
                }
                for a, b in zip(rows[::2], rows[1::2], strict=True)
            ],
        )  # fmt: skip
    assert unify(store, actor="tester").high == pytest.approx(0.9)
    assert unify(store, high=0.97, actor="tester").high == 0.97  # a threshold given is kept


def test_pairs_at_a_review_level_are_never_merged_automatically() -> None:
    """Household members (same surname, another given name) sharing a landline and address
    score high; the customer spec sends such pairs to review whatever their score."""
    import pandas as pd

    from patron.identity import LinkageModel, customer_spec

    unify_module = __import__("patron.identity.unify", fromlist=["_automatic"])
    spec = customer_spec()
    settings = spec.settings().create_settings_dict("duckdb")
    model = LinkageModel(spec, settings_=settings)
    levels = {
        lv["label_for_charts"]: i
        for i, lv in enumerate(reversed(settings["comparisons"][0]["comparison_levels"][1:]))
    }
    pairs = pd.DataFrame(
        {
            "match_probability": [0.999, 0.999, 0.96, 0.5],
            "gamma_name_tokens": [
                levels["Exact match on name_tokens"],
                levels["Array intersection size >= 1"],  # 王子涵 and 王子轩
                levels["Array subset"],  # 王 and 王子涵: a surname-only record
                levels["Exact match on name_tokens"],
            ],
        }
    )
    assert unify_module._automatic(pairs, model, 0.95).tolist() == [True, False, True, False]


def test_cross_references_join_records_that_name_each_other(demo) -> None:  # type: ignore[no-untyped-def]
    """Service tickets name the member they were logged against and their contact card: the
    two records are one customer, whatever their names and phones say."""
    from patron.store.schema import customer_merges

    store, _, person = demo
    without = unify(store, actor="tester", cross_references=[])
    before = cluster_scores(store, person)
    with_refs = unify(store, actor="tester")  # the settings' default: the ticket log
    after = cluster_scores(store, person)
    assert with_refs.merges > 0 and without.merges > 0
    assert after.recall > before.recall + 0.02, (before, after)  # type: ignore[attr-defined]
    assert after.precision >= 0.99, after  # type: ignore[attr-defined]
    with store.connect() as conn:
        reasons = conn.execute(
            select(customer_merges.c.reason, customer_merges.c.match_weight).where(
                customer_merges.c.run_id == with_refs.run_id
            )
        ).all()
    assert reasons and all(r.startswith("cross-reference") and w is None for r, w in reasons)


def test_a_cross_reference_is_written_path_equals_source() -> None:
    from patron.identity.xref import CrossReference

    ref = CrossReference.parse(" payload.ticket_contact_id = service ")
    assert ref == CrossReference(("payload", "ticket_contact_id"), "service")
    for bad in ("payload.ticket_contact_id", "=service", "payload.x="):
        with pytest.raises(ValueError, match=r"path\.to\.key=source"):
            CrossReference.parse(bad)

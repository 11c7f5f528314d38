"""The review queue and the Identity tab in a real Chromium: accept a doubtful pair, see the
two customers as one (the merged id leading to the survivor), then undo the merge from the
customer's page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from rich.console import Console
from test_web_browser import UNLABELLED, browser, new_page, sign_in

from browser_server import running
from patron import access, identity
from patron.core import Settings
from patron.demo import run_demo
from patron.store import open_store
from patron.web import create_app
from web_fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::UserWarning")]
__all__ = ["browser"]  # the Chromium fixture, shared with the other browser tests


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo company, matched once (doubtful pairs wait in the queue), served."""
    tmp = tmp_path_factory.mktemp("identity-browser")
    settings = Settings(home=tmp, login_attempts_per_minute=10_000)
    run_demo(people=200, seed=7, settings=settings, console=Console(quiet=True))
    store = open_store(settings)
    identity.unify(store, high=0.9999, low=0.3, actor="test")  # enough pairs to review
    access.add_user(store, "admin", "admin", PASSWORD, actor="test")
    with running(create_app(settings, store)) as url:
        yield url
    store.dispose()


def test_accept_a_pair_then_undo_the_merge_from_the_customer_page(
    site: str, browser: object
) -> None:
    page = new_page(browser, site)
    sign_in(page)
    page.click("nav >> text=Review queue")
    page.wait_for_selector("[data-testid=review-total]")
    assert page.evaluate(UNLABELLED) == []
    card = page.locator("section.review").first
    review_id = (card.get_attribute("data-testid") or "").removeprefix("review-")
    sides = card.locator("td a").all_inner_texts()[:2]  # "name #id" of both customers
    left, right = (int(re.search(r"#(\d+)$", s.strip()).group(1)) for s in sides)  # type: ignore[union-attr]
    survivor, merged = min(left, right), max(left, right)
    page.fill(f"#note-{review_id}", "same person")
    page.click(f"[data-testid=accept-{review_id}]")
    notice = page.wait_for_selector("[data-testid=decided-notice]")
    assert f"Pair #{review_id} accepted" in notice.inner_text()  # type: ignore[union-attr]
    assert page.locator(f"[data-testid=review-{review_id}]").count() == 0  # left the queue

    # The merged customer's page leads to the survivor, which says so.
    page.goto(f"{site}/customers/{merged}")
    page.wait_for_selector("[data-testid=merged-notice]")
    assert page.url.endswith(f"/customers/{survivor}?merged_from={merged}")
    page.click("[data-testid=identity-tab]")
    page.wait_for_selector("[data-testid=identity-merges]")
    assert page.evaluate(UNLABELLED) == []
    # The merge whose "merged in" column (the third) is that customer.
    merged_cell = f"td:nth-child(3) a[href='/customers/{merged}/identity']"
    merge_row = page.locator(f"[data-testid=identity-merges] tr:has({merged_cell})").first
    merge_id = (merge_row.get_attribute("data-testid") or "").removeprefix("merge-")
    assert "same person" in merge_row.inner_text()

    # Undo: open the confirmation, give a reason, confirm.
    page.click(f"[data-testid=undo-{merge_id}]")
    page.fill(f"#undo-reason-{merge_id}", "two people after all")
    page.click(f"[data-testid=confirm-undo-{merge_id}]")
    undone = page.wait_for_selector("[data-testid=undone-notice]")
    assert f"Merge #{merge_id} undone" in undone.inner_text()  # type: ignore[union-attr]
    page.click("[data-testid=undone-notice] a")
    page.wait_for_selector("[data-testid=customer-name]")
    assert page.url.endswith(f"/customers/{merged}")  # its own page again
    assert page.locator("[data-testid=merged-notice]").count() == 0

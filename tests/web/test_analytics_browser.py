"""The Analytics pages in a real Chromium, in English and in Chinese: the value x churn matrix
and the charts, a strategy edited and saved, a cell's customers, and a customer's scores
loaded into the 360 page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.console import Console
from test_web_browser import UNLABELLED, browser, new_page, sign_in

from browser_server import running
from patron import access
from patron.analytics import AnalyzeOptions, analyze, latest_run
from patron.core import Settings
from patron.demo import run_demo
from patron.store import open_store
from patron.warehouse import open_warehouse
from patron.web import create_app
from web_fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::UserWarning")]
__all__ = ["browser"]  # the Chromium fixture, shared with the other browser tests
CHARTS = ("rfm-grid", "lifecycle-funnel", "clv-histogram", "churn-histogram")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The demo company, analysed once, served; a marketer may edit strategies."""
    tmp = tmp_path_factory.mktemp("analytics-browser")
    settings = Settings(home=tmp, login_attempts_per_minute=10_000)
    run_demo(people=400, seed=7, settings=settings, console=Console(quiet=True))
    store = open_store(settings)
    with open_warehouse(settings) as warehouse:
        analyze(store, warehouse, AnalyzeOptions(actor="test"))
    with store.connect() as conn:
        summary = latest_run(conn)["summary"]  # type: ignore[index]
    access.add_user(store, "marketer", "marketer", PASSWORD, actor="test")
    counts = {c["cell"]: c["customers"] for c in summary["value_churn_matrix"]}
    with running(create_app(settings, store)) as url:
        yield {"url": url, "counts": counts}
    store.dispose()


def test_matrix_charts_a_strategy_and_a_customers_scores(site: dict, browser: object) -> None:
    url = site["url"]
    page = new_page(browser, url)
    sign_in(page, "marketer")
    page.click("nav >> text=Analytics")
    page.wait_for_selector("[data-testid=value-churn-matrix]")
    assert page.locator("h1").inner_text() == "Analytics"
    assert page.evaluate(UNLABELLED) == []
    for chart in CHARTS:
        assert page.locator(f"svg[data-testid={chart}]").is_visible(), chart
    assert page.locator("svg[data-testid=rfm-grid] rect").count() == 25
    expected = site["counts"]["high_value/high_churn"]
    assert page.locator("[data-testid=count-high-high]").inner_text() == f"{expected:,}"

    # Edit the strategy of the most urgent cell and save it.
    text = "Call within a week; offer free delivery."
    page.fill("#strategy-high-high", text)
    page.click("[data-testid=save-high-high]")
    page.wait_for_selector("[data-testid=strategy-saved]")
    assert page.input_value("#strategy-high-high") == text
    assert "edited by user:marketer\n" in page.locator("[data-testid=cell-high-high]").inner_text()

    # The cell's customers, then one customer's scores on the 360 page (loaded by HTMX).
    page.click("[data-testid=customers-high-high]")
    page.wait_for_selector("[data-testid=cell-strategy]")
    assert text in page.locator("[data-testid=cell-strategy]").inner_text()
    assert page.locator("[data-testid=cell-csv]").get_attribute("href") == (
        "/api/v1/analytics/matrix/high/high/customers.csv"
    )
    page.locator("[data-testid=risk-table] tbody a").first.click()
    page.wait_for_selector("[data-testid=customer-name]")
    panel = page.wait_for_selector("[data-testid=scores-panel] [data-testid=score-churn]")
    assert panel is not None and "%" in panel.inner_text()
    assert page.locator("[data-testid=score-segment]").inner_text().strip() != "–"
    assert page.locator("a:has-text('High value · High churn risk')").count() == 1


def test_the_analytics_pages_in_chinese(site: dict, browser: object) -> None:
    url = site["url"]
    page = new_page(browser, url, "zh-CN")
    sign_in(page, "marketer")
    page.goto(url + "/analytics")
    page.wait_for_selector("[data-testid=value-churn-matrix]")
    assert page.locator("h1").inner_text() == "客户分析"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    matrix = page.locator("[data-testid=value-churn-matrix]").inner_text()
    assert "高价值" in matrix and "高流失风险" in matrix and "位客户" in matrix
    for chart in CHARTS:
        assert page.locator(f"svg[data-testid={chart}]").is_visible(), chart
    assert "认知阶段" in page.locator("svg[data-testid=lifecycle-funnel]").inner_html()
    page.click("text=流失预警 >> nth=0")
    page.wait_for_selector("[data-testid=risk-table]")
    assert page.locator("h1").inner_text() == "流失预警"
    assert "距上次购买天数" in page.locator("[data-testid=risk-table]").inner_text()
    assert page.evaluate(UNLABELLED) == []

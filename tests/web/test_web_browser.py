"""The web app in a real Chromium: sign in, search, the 360 page, the import wizard, in English
and Chinese; hostile customer data stays inert (B3)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_server import CHROMIUM_ARGS, chromium_path, running
from patron import access, ingest
from patron.core import Settings
from patron.store import open_store
from patron.web import create_app
from web_fixtures import PASSWORD

XSS_NAME = '<img src=x onerror="window.__pwned=1">'
XSS_COMPANY = "<script>window.__pwned=2</script>"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    tmp = tmp_path_factory.mktemp("browser")
    settings = Settings(home=tmp, login_attempts_per_minute=10_000)
    store = open_store(settings)
    access.add_user(store, "admin", "admin", PASSWORD, actor="test")
    access.add_user(store, "analyst", "analyst", PASSWORD, actor="test")
    zhang = ingest.enter_customer(
        store,
        {
            "full_name": "张伟",
            "phone": "13800138000",
            "email": "zhang.wei@qq.com",
            "address": "广东省深圳市南山区科技园路1号",
        },
        actor="t",
        settings=settings,
    )
    evil = ingest.enter_customer(
        store,
        {"full_name": XSS_NAME, "company": XSS_COMPANY, "email": "x@example.com"},
        actor="t",
        settings=settings,
    )
    with running(create_app(settings, store)) as url:
        yield {"url": url, "zhang": zhang, "evil": evil, "tmp": tmp}
    store.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("PATRON_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (PATRON_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_page(browser: object, url: str, locale: str = "en-US") -> object:
    context = browser.new_context(locale=locale)  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url + "/login")
    return page


def sign_in(page: object, name: str = "admin") -> None:
    page.fill("#name", name)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("locale", "search_label", "sign_in_label"),
    [("en-US", "Search", "Sign in"), ("zh-CN", "搜索", "登录")],
)
def test_search_and_360_in_both_languages(
    site: dict, browser: object, locale: str, search_label: str, sign_in_label: str
) -> None:
    page = new_page(browser, site["url"], locale)
    assert page.locator("h1").inner_text().startswith(sign_in_label)
    sign_in(page)
    assert page.locator("[data-testid=customer-count]").inner_text() == "2"
    page.goto(site["url"] + "/customers")
    page.fill("#q", "zhang wei")
    page.wait_for_selector("#results a.name:has-text('张伟')")  # live search through HTMX
    assert page.get_by_role("button", name=search_label).is_visible()
    page.click("#results a.name:has-text('张伟')")
    page.wait_for_selector("[data-testid=customer-name]")
    assert page.locator("[data-testid=customer-name]").inner_text() == "张伟"
    assert "+8613800138000" in page.content()
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if locale == "zh-CN" else "en")


def test_language_switch_sticks(site: dict, browser: object) -> None:
    page = new_page(browser, site["url"], "en-US")
    sign_in(page)
    page.click("a[lang=zh-CN]")
    page.wait_for_selector("text=客户数据库")
    page.goto(site["url"] + "/customers")
    assert page.locator("h1").inner_text() == "客户"


def test_analyst_sees_masked_data(site: dict, browser: object) -> None:
    page = new_page(browser, site["url"])
    sign_in(page, "analyst")
    page.goto(f"{site['url']}/customers/{site['zhang']}")
    html = page.content()
    assert "+86138****8000" in html
    assert "13800138000" not in html and "zhang.wei@qq.com" not in html


def test_hostile_names_render_inert(site: dict, browser: object) -> None:
    page = new_page(browser, site["url"])
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page)
    for path in (f"/customers/{site['evil']}", "/customers?q=x%40example.com", "/customers"):
        page.goto(site["url"] + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("img[src=x]").count() == 0, path
    page.goto(f"{site['url']}/customers/{site['evil']}")
    # Shown as text (title-cased like any Western name), never as markup.
    assert page.locator("[data-testid=customer-name]").inner_text().lower() == XSS_NAME.lower()
    assert dialogs == []


@pytest.mark.parametrize(
    ("locale", "batch_link", "name"),
    [
        ("zh-CN", "查看批次及被拒绝的行", "刘洋"),
        ("en-US", "See the batch and its rejected rows", "孙丽"),
    ],
)
def test_import_wizard(
    site: dict, browser: object, locale: str, batch_link: str, name: str
) -> None:
    tmp: Path = site["tmp"]  # type: ignore[assignment]
    path = tmp / f"会员-{locale}.csv"
    path.write_bytes(
        f"会员编号,姓名,手机,邮箱,生日\nM1,{name},13700001111,ly@qq.com,1990-01-02\n"
        "M2,周杰,13700002222,zj@qq.com,not a date\n".encode("gb18030")
    )
    page = new_page(browser, site["url"], locale)
    sign_in(page)
    page.goto(site["url"] + "/imports/new")
    page.set_input_files("#file", str(path))
    page.fill("#source", f"pos-{locale}")
    page.click("#check-file")
    page.wait_for_selector("[data-testid=encoding]")
    assert "GB18030" in page.locator("[data-testid=encoding]").inner_text()
    assert name in page.content()
    page.click("#import-now")
    page.wait_for_selector("[data-testid=import-report]", timeout=60_000)
    assert page.locator("[data-testid=rejected-count]").inner_text() == "1"
    page.click(f"text={batch_link}")
    page.wait_for_selector("text=not a date")
    page.goto(site["url"] + f"/customers?q={name}")
    assert page.locator(f"#results a.name:has-text('{name}')").count() == 1


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden')
  .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`))
               && !e.closest('label') && !e.getAttribute('aria-label'))
  .map(e => e.name || e.outerHTML)"""


def test_forms_are_labelled_and_keyboard_reachable(site: dict, browser: object) -> None:
    page = new_page(browser, site["url"])
    assert page.evaluate(UNLABELLED) == []
    sign_in(page)
    for path in (
        "/",
        "/customers",
        f"/customers/{site['zhang']}",
        "/imports/new",
        "/account",
        "/admin/users",
    ):
        page.goto(site["url"] + path)
        assert page.evaluate(UNLABELLED) == [], path
    page.goto(site["url"] + "/customers")
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("document.activeElement.className") == "skip"
    page.focus("#q")
    page.keyboard.type("zhang")
    page.keyboard.press("Enter")
    page.wait_for_selector("#results a.name:has-text('张伟')")


def test_pages_fit_a_phone_screen(site: dict, browser: object) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(site["url"] + "/login")
    sign_in(page)
    for path in ("/", "/customers", f"/customers/{site['zhang']}", "/imports"):
        page.goto(site["url"] + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)

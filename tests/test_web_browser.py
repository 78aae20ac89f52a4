"""The workbench in a real headless Chromium (Debian's, driven over the DevTools protocol), on SQLite and
PostgreSQL: search with and without diacritics, click a facet, open a unit, open a document and see its
marks, correct a finding with the token and fail without it; no script in a document ever runs.

Screenshots of every page (1366x768) are saved under artifacts/screenshots/<database>/ for people to look at.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from pipeline.store.schema import corrections
from tests.browser import Browser
from tests.postgres_server import postgres_cluster, postgres_url  # noqa: F401 - fixtures
from tests.web_fixtures import serving, workbench_engine  # noqa: F401 - fixture

pytestmark = pytest.mark.slow
TOKEN = "browser-token"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


@pytest.fixture
def site(workbench_engine, tmp_path):  # noqa: F811
    from pipeline.web.app import create_app

    shots = ARTIFACTS / workbench_engine.dialect.name
    app = create_app(workbench_engine, token=TOKEN, page_budget=None, overview_budget=None)
    with serving(app) as base, Browser(tmp_path / "profile") as browser:
        yield base, browser, shots


def total(browser: Browser) -> int:
    return int(browser.text("#total").replace(",", "").replace(".", ""))


def test_search_facets_unit_and_document_pages(site) -> None:
    base, browser, shots = site
    browser.goto(f"{base}/")
    assert "Tổng quan" in browser.text("h1") and browser.count("svg.chart") >= 1
    browser.screenshot(shots / "overview.png")

    # Search from the header, with and without diacritics.
    browser.fill("form.search input[name=q]", "tre hen")
    browser.click("form.search button")
    assert total(browser) == 3 and "trễ hẹn" in browser.text("table.findings")
    browser.screenshot(shots / "search.png")
    browser.fill("form.search input[name=q]", "trễ hẹn")
    browser.click("form.search button")
    assert total(browser) == 3
    browser.fill("form.search input[name=q]", "dong thap")
    browser.click("form.search button")
    assert total(browser) == 5

    # Click a facet value: the list narrows to the count the facet showed.
    browser.goto(f"{base}/findings")
    assert total(browser) == 7
    shown = browser.evaluate(
        "(() => { const li = [...document.querySelectorAll('[data-facet=polarity] li')]"
        ".find(l => l.innerText.includes('Hạn chế')); return li.querySelector('.count').innerText; })()")
    browser.click("[data-facet=polarity] li a[href*='polarity=limitation']")
    assert parse_qs(urlsplit(browser.url).query)["polarity"] == ["limitation"]
    assert total(browser) == int(shown) == 4
    assert browser.count("[data-facet=polarity] li.selected") == 1
    browser.screenshot(shots / "findings-facet.png")

    # Open a unit from the overview: its inspections on a timeline, the recurring limitation, the new name.
    browser.goto(f"{base}/")
    browser.click_text("#top-units a", "Tân Hòa")
    assert browser.text("#unit-name") == "xã Tân Hòa"
    assert browser.count("#timeline li") == 2
    assert "xã Phong Hòa" in browser.text("#rename")
    assert "Tiếp nhận" in browser.text("#recurring") or "giải quyết" in browser.text("#recurring").lower()
    browser.screenshot(shots / "unit.png")

    # Open a document from a finding: its findings, units, dates and references are marked.
    browser.goto(f"{base}/findings?q=tre+hen&sort=date_asc")
    browser.click("table.findings tbody tr td.num a")
    assert "/documents/" in browser.url
    assert browser.count("article.text mark.finding[id]") == 3
    assert browser.count("article.text mark.finding.limitation") == 1
    assert browser.count("article.text .ent.unit") >= 1 and browser.count("article.text .ent.date") == 1
    assert browser.count("article.text .ent.ref") == 1
    assert "GIAI_QUYET_HO_SO" in browser.text("article.text").upper()
    browser.screenshot(shots / "document.png")


def test_a_hostile_document_runs_no_script(site) -> None:
    base, browser, shots = site
    browser.goto(f"{base}/findings?q=luu+tru")
    browser.click("table.findings tbody tr td.num a")
    assert "&lt;" not in browser.text("article.text") and "<script>" in browser.text("article.text")
    assert browser.count("article.text script, article.text img") == 0
    browser.evaluate("document.querySelectorAll('article.text *').forEach(e => e.dispatchEvent("
                     "new MouseEvent('mouseover', {bubbles: true})))")
    assert browser.evaluate("typeof window.__xss") == "undefined"
    assert browser.dialogs == []
    browser.screenshot(shots / "document-hostile.png")


def test_correcting_a_finding_needs_the_token(site, workbench_engine) -> None:  # noqa: F811
    base, browser, shots = site
    browser.goto(f"{base}/findings?q=xin+loi")
    browser.click("table.findings tbody tr td.num a")
    document = browser.url.split("#")[0]
    assert browser.count("form.correct") == 0  # read-only until signed in
    # A forged form post (as another site's page would send) is refused.
    finding_id = browser.evaluate("document.querySelector('article.text mark.finding.limitation').id.slice(1)")
    browser.evaluate(
        f"(() => {{ const f = document.createElement('form'); f.method = 'post';"
        f" f.action = '/findings/{finding_id}/correct'; const i = document.createElement('input');"
        f" i.name = 'category'; i.value = 'khac'; f.appendChild(i); document.body.appendChild(f); f.submit(); }})()")
    browser.events.clear()
    browser._wait_for_load()
    assert "đăng nhập" in browser.text("p.error").lower()

    browser.goto(f"{base}/login?next={urlsplit(document).path}")
    browser.fill("#token", "wrong")
    browser.click("#login-submit")
    assert browser.count("#login-failed") == 1
    browser.fill("#token", TOKEN)
    browser.click("#login-submit")
    assert browser.url == document and browser.count("form.correct") == 2
    browser.screenshot(shots / "document-signed-in.png")
    form = f"#item-f{finding_id} form.correct"
    browser.evaluate(f"document.querySelector('{form} select[name=category]').value = 'tiep_cong_dan'")
    browser.fill(f"{form} input[name=who]", "Lan")
    browser.click(f"{form} button")
    assert browser.url.endswith(f"#f{finding_id}")
    assert "Tiếp công dân" in browser.text(f"#item-f{finding_id} .category")
    assert "đã sửa 1 lần" in browser.text(f"#item-f{finding_id}")
    with workbench_engine.connect() as conn:
        assert conn.execute(select(corrections.c.field, corrections.c.new, corrections.c.who)).all() == [
            ("category", "tiep_cong_dan", "Lan")]
    # Not a finding: struck through on the document, gone from the lists.
    browser.evaluate(f"document.querySelector('{form} input[type=checkbox]').checked = true")
    browser.click(f"{form} button")
    assert browser.count(f"#item-f{finding_id}.dismissed") == 1
    browser.goto(f"{base}/findings?q=xin+loi")
    assert total(browser) == 0

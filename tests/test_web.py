"""The workbench over HTTP (FastAPI's test client), on SQLite and PostgreSQL: search, facets, exports,
unit, document and overview pages, corrections with the token, escaping and injection."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from pipeline.store.database import replace_result
from pipeline.store.schema import corrections, documents, findings, units
from tests.postgres_server import postgres_cluster, postgres_url  # noqa: F401 - fixtures
from tests.web_fixtures import HOSTILE_UNIT, INJECTIONS, workbench_engine, workbench_results  # noqa: F401 - fixture

TOKEN = "s3cret-token"


@pytest.fixture
def client(workbench_engine):  # noqa: F811
    return TestClient(_app(workbench_engine, TOKEN))


def _app(engine, token):
    from pipeline.web.app import create_app

    # no time budget: what these tests count must not depend on how busy the machine is
    return create_app(engine, token=token, page_budget=None, overview_budget=None)


def api(client, **params) -> dict:
    response = client.get("/api/findings", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def texts(client, **params) -> list[str]:
    return sorted(f["text"] for f in api(client, per_page=200, **params)["findings"])


def unit_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(units.c.id).where(units.c.name == name))


def sha_of(engine, path_part: str) -> str:
    with engine.connect() as conn:
        return conn.scalar(select(documents.c.sha256).where(documents.c.path.contains(path_part)))


def test_search_ignores_diacritics_case_and_d(client) -> None:
    late = ["Còn 12 hồ sơ giải quyết trễ hẹn so với quy định.", "Vẫn còn hồ sơ trễ hẹn, chưa có văn bản xin lỗi người dân.",
            "Đề nghị xã khắc phục tình trạng hồ sơ trễ hẹn."]
    assert texts(client, q="tre hen") == sorted(late)
    assert texts(client, q="trễ hẹn") == sorted(late)
    assert texts(client, q="TRỄ HẸN") == sorted(late)
    assert texts(client, q="tre h") == sorted(late)  # the last word is a prefix, as one types
    # Đồng Tháp is the province of the units these findings are about.
    assert api(client, q="dong thap")["total"] == 5
    assert api(client, q="Đồng Tháp")["total"] == 5
    assert api(client, q="trễ hẹn xin lỗi")["total"] == 1
    assert api(client, q="hen tre khong co")["total"] == 0


def test_facets_count_what_a_click_lists(client, workbench_engine) -> None:  # noqa: F811
    everything = api(client)
    assert everything["total"] == 7
    facets = everything["facets"]
    assert {v["value"]: v["count"] for v in facets["polarity"]["values"]} == {
        "limitation": 4, "strength": 2, "recommendation": 1}
    assert {v["value"]: v["count"] for v in facets["year"]["values"]} == {"2024": 2, "2023": 3, "2022": 2}
    assert {v["value"]: v["count"] for v in facets["province"]["values"]} == {"Đồng Tháp": 5, "Nghệ An": 2}
    assert {v["value"]: v["count"] for v in facets["needs_review"]["values"]} == {"false": 4, "true": 3}
    assert facets["cited_number"]["values"] == [{"value": "26/CT-TTg", "count": 3, "label": "Chỉ thị 26/CT-TTg"}]
    units_facet = {v["label"]: v["count"] for v in facets["unit_id"]["values"]}
    assert units_facet["xã Tân Hòa (Đồng Tháp)"] == 5
    # Every facet value, clicked, lists exactly as many findings as it showed.
    for name, facet in facets.items():
        for value in facet["values"]:
            narrowed = api(client, **{name: value["value"]})
            assert narrowed["total"] == value["count"], (name, value)
            assert narrowed["facets"][name]["selected"] == value["value"]
    both = api(client, province="Đồng Tháp", polarity="limitation")
    assert both["total"] == 2 and {v["value"] for v in both["facets"]["category"]["values"]} == {"giai_quyet_ho_so"}
    assert api(client, district="huyện Lai Vung", level="xa")["total"] == 5
    assert api(client, unit_id=unit_id(workbench_engine, "xã Tân Hòa"), year=2024)["total"] == 2


def test_sorting_and_paging(client) -> None:
    by_date = api(client, per_page=25)["findings"]
    assert [f["date"] for f in by_date] == sorted((f["date"] for f in by_date), reverse=True)
    by_confidence = [f["confidence"] for f in api(client, sort="confidence_asc")["findings"]]
    assert by_confidence == sorted(by_confidence)
    page = api(client, per_page=25, page=99)  # past the end: the last page
    assert (page["page"], page["pages"], len(page["findings"])) == (1, 1, 7)
    for bad in ({"sort": "text; DROP"}, {"per_page": "7"}, {"page": "0"}, {"year": "abc"}, {"category": "nope"},
                {"polarity": "bad"}, {"needs_review": "maybe"}, {"since": "2020-13-45"}, {"unit_id": "-3"}):
        response = client.get("/api/findings", params=bad)
        assert response.status_code == 400 and "error" in response.json(), bad
        assert client.get("/findings", params=bad).status_code == 400


def test_csv_and_xlsx_downloads_follow_the_filters(client, tmp_path) -> None:
    response = client.get("/findings.csv", params={"province": "Đồng Tháp", "polarity": "limitation"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r["text"] for r in rows) == texts(client, province="Đồng Tháp", polarity="limitation")
    response = client.get("/findings.xlsx", params={"q": "tre hen"})
    assert response.status_code == 200
    (tmp_path / "f.xlsx").write_bytes(response.content)
    sheet = load_workbook(tmp_path / "f.xlsx")["Findings"]
    assert sorted(row[9] for row in sheet.iter_rows(min_row=2, values_only=True)) == texts(client, q="tre hen")
    empty = client.get("/findings.csv", params={"q": "khongcogica"})
    assert empty.content.decode("utf-8-sig").splitlines()[0].startswith("id,sha256")


def test_unit_page_history_recurrence_family_and_new_name(client, workbench_engine) -> None:  # noqa: F811
    tan_hoa = unit_id(workbench_engine, "xã Tân Hòa")
    data = client.get(f"/api/units/{tan_hoa}").json()
    assert [i["date"] for i in data["inspections"]] == ["2023-05-12", "2024-04-02"]
    assert [(r["category"], r["documents"], r["first"], r["last"]) for r in data["recurring"]] == [
        ("giai_quyet_ho_so", 2, "2023-05-12", "2024-04-02")]
    assert data["by_category"]["giai_quyet_ho_so"] == {"limitation": 2, "recommendation": 1}
    assert data["parent_unit"]["name"] == "huyện Lai Vung"
    assert (data["current_name"], data["current_province"]) == ("xã Phong Hòa", "Đồng Tháp")
    page = client.get(f"/units/{tan_hoa}").text
    assert "xã Phong Hòa" in page and "Giải quyết" not in page or "giai_quyet_ho_so" in page
    district = client.get(f"/api/units/{unit_id(workbench_engine, 'huyện Lai Vung')}").json()
    assert [c["name"] for c in district["children"]] == ["xã Tân Hòa"]
    assert client.get("/units/999999").status_code == 404
    assert client.get("/api/units/999999").status_code == 404
    assert client.get("/units/abc").status_code == 422


def test_document_page_marks_findings_units_dates_and_references(client, workbench_engine) -> None:  # noqa: F811
    sha = sha_of(workbench_engine, "tan-hoa-2023")
    page = client.get(f"/documents/{sha}").text
    assert len(re.findall(r'<mark class="finding [a-z ]+" id="f\d+"', page)) == 3
    assert 'class="finding limitation"' in page and "giai_quyet_ho_so" in page
    assert page.count('class="ent unit"') >= 1 and 'class="ent date"' in page and 'class="ent ref"' in page
    assert "reports/tan-hoa-2023.txt" in page and "txt" in page
    data = client.get(f"/api/documents/{sha}").json()
    assert [f["polarity"] for f in data["findings"]] == ["strength", "limitation", "recommendation"]
    assert all(f["id"] and f["dismissed"] is False for f in data["findings"])
    assert data["versions"] is not None
    assert client.get("/documents/" + "0" * 64).status_code == 404
    assert client.get("/api/documents/not-a-sha").status_code == 404


def test_overview_and_report_workbook(client, tmp_path) -> None:
    data = client.get("/api/overview").json()
    assert data["limitations_by_category_year"]["giai_quyet_ho_so"] == {"2022": 0, "2023": 1, "2024": 1}
    assert [(r["unit"], r["category"]) for r in data["recurring"]] == [("xã Tân Hòa", "giai_quyet_ho_so")]
    assert data["top_units"][0]["limitations"] == 2
    assert client.get("/api/overview", params={"province": "Nghệ An"}).json()["recurring"] == []
    html = client.get("/").text
    assert "<svg" in html and "Hạn chế theo lĩnh vực và năm" in html
    response = client.get("/report.xlsx")
    (tmp_path / "r.xlsx").write_bytes(response.content)
    workbook = load_workbook(tmp_path / "r.xlsx")
    assert len(workbook.sheetnames) >= 3 and any(ws._charts for ws in workbook.worksheets)


def test_corrections_need_the_token_and_are_logged_and_kept(client, workbench_engine) -> None:  # noqa: F811
    engine = workbench_engine
    finding = api(client, q="xin loi")["findings"][0]
    url = f"/api/findings/{finding['id']}/corrections"
    body = {"category": "tiep_cong_dan", "who": "Lan"}
    assert client.post(url, json=body).status_code == 403
    assert client.post(url, json=body, headers={"Authorization": "Bearer wrong"}).status_code == 403
    read_only = TestClient(_app(engine, None))
    assert read_only.post(url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 403
    assert read_only.post(f"/findings/{finding['id']}/correct", data={"category": "khac"}).status_code == 403
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post(url, json={"category": "nope"}, headers=auth).status_code == 400
    assert client.post("/api/findings/999999/corrections", json=body, headers=auth).status_code == 404
    response = client.post(url, json=body, headers=auth)
    assert response.status_code == 200 and response.json()["changed"] == ["category"]
    assert client.post(url, json={"dismissed": True, "who": "Lan"}, headers=auth).json()["changed"] == ["dismissed"]
    with engine.connect() as conn:
        logged = conn.execute(select(corrections.c.field, corrections.c.old, corrections.c.new, corrections.c.who)
                              .order_by(corrections.c.id)).all()
    assert [tuple(r) for r in logged] == [("category", "giai_quyet_ho_so", "tiep_cong_dan", "Lan"),
                                          ("dismissed", "False", "True", "Lan")]
    assert api(client, q="xin loi")["total"] == 0  # not a finding any more: listed nowhere
    assert api(client)["total"] == 6
    # Re-processing the document keeps both corrections.
    result = next(r for r in workbench_results() if r.source.path.endswith("tan-hoa-2024.txt"))
    assert replace_result(engine, result).applied == 2
    assert api(client, q="xin loi")["total"] == 0
    with engine.connect() as conn:
        kept = conn.execute(select(findings.c.category, findings.c.dismissed)
                            .where(findings.c.text.contains("xin lỗi"))).one()
    assert tuple(kept) == ("tiep_cong_dan", True)


def test_browser_corrections_need_a_session_and_the_csrf_value(client, workbench_engine) -> None:  # noqa: F811
    finding = api(client, q="deo the")["findings"][0]
    form_url = f"/findings/{finding['id']}/correct"
    assert client.post(form_url, data={"polarity": "limitation"}).status_code == 403  # not signed in
    assert client.post("/login", data={"token": "wrong"}).status_code == 403
    signed_in = client.post("/login", data={"token": TOKEN, "next": "/findings"}, follow_redirects=False)
    assert signed_in.status_code == 303 and "httponly" in signed_in.headers["set-cookie"].lower()
    assert "samesite=strict" in signed_in.headers["set-cookie"].lower()
    page = client.get(f"/documents/{finding['sha256']}").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    assert client.post(form_url, data={"polarity": "limitation"}).status_code == 403  # no CSRF value
    assert client.post(form_url, data={"polarity": "limitation", "csrf": "0" * 64}).status_code == 403
    foreign = client.post(form_url, data={"polarity": "limitation", "csrf": csrf},
                          headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    done = client.post(form_url, data={"polarity": "limitation", "csrf": csrf, "who": "Minh",
                                       "next": f"/documents/{finding['sha256']}"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith(f"#f{finding['id']}")
    assert api(client, q="deo the")["findings"][0]["polarity"] == "limitation"
    # Open redirects are not followed: `next` stays on this site.
    elsewhere = client.post(form_url, data={"category": "khac", "csrf": csrf, "next": "//evil.example/x"},
                            follow_redirects=False)
    assert elsewhere.headers["location"].startswith("/findings")


def test_document_text_is_escaped_everywhere(client, workbench_engine) -> None:  # noqa: F811
    sha = sha_of(workbench_engine, "hostile")
    pages = [client.get(f"/documents/{sha}").text, client.get("/findings").text, client.get("/").text,
             client.get("/findings", params={"q": "<script>alert(1)</script>"}).text,
             client.get(f"/units/{unit_id(workbench_engine, HOSTILE_UNIT[0])}").text]
    for html in pages:
        tags = _elements(html)
        assert not {"script", "img", "b"} & {tag for tag, _ in tags}
        assert not [attr for _, attrs in tags for attr in attrs if attr.startswith("on")]
    assert "&lt;script&gt;" in pages[0] and "&lt;img src=x" in pages[0]
    response = client.get(f"/documents/{sha}")
    assert "script-src 'none'" in response.headers["content-security-policy"]


def _elements(html: str) -> list[tuple[str, list[str]]]:
    """Every element of a page as (tag, attribute names), as a browser's parser sees them."""
    found: list[tuple[str, list[str]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, [name for name, _ in attrs]))

    Collector().feed(html)
    return found


@pytest.mark.parametrize("parameter", ["q", "province", "district", "level", "category", "polarity", "year",
                                       "needs_review", "cited_number", "unit_id", "since", "until", "document",
                                       "sort", "page", "per_page"])
def test_sql_injection_in_every_filter_changes_nothing(client, workbench_engine, parameter) -> None:  # noqa: F811
    with workbench_engine.connect() as conn:
        before = (conn.scalar(select(func.count()).select_from(findings)),
                  conn.scalar(select(func.count()).select_from(documents)))
    for attack in INJECTIONS:
        for path in ("/api/findings", "/findings", "/findings.csv", "/api/overview"):
            response = client.get(path, params={parameter: attack})
            assert response.status_code in (200, 400), (path, parameter, attack, response.text[:300])
            if response.status_code == 200 and path == "/api/findings" and parameter not in ("sort", "page"):
                assert response.json()["total"] == 0, (parameter, attack)
    with workbench_engine.connect() as conn:
        after = (conn.scalar(select(func.count()).select_from(findings)),
                 conn.scalar(select(func.count()).select_from(documents)))
    assert after == before


def test_pages_fetch_nothing_from_elsewhere(client, workbench_engine) -> None:  # noqa: F811
    sha = sha_of(workbench_engine, "tan-hoa-2023")
    for path in ("/", "/findings", f"/documents/{sha}", "/api", "/login"):
        html = client.get(path).text
        for reference in re.findall(r'(?:src|href|action)="([^"]*)"', html):
            assert reference.startswith(("/", "#", "?")), (path, reference)
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/docs").status_code == 404  # FastAPI's docs pages load their assets from a CDN
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Findings workbench"


def _sqlite_workbench(tmp_path) -> str:
    from pipeline.store.database import open_database, save_results

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    save_results(open_database(url), workbench_results())
    return url


def test_serve_listens_on_loopback_by_default_and_is_read_only_without_the_token(tmp_path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    import psutil

    url = _sqlite_workbench(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "FINDINGS_TOKEN"}
    findings_cli = str(Path(sys.executable).with_name("findings"))
    server = subprocess.Popen([findings_cli, "serve", "--db", url, "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/findings", timeout=5) as response:
                    assert json.load(response)["total"] == 7
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stdout.read()
                time.sleep(0.2)
        listening = [c.laddr for c in psutil.Process(server.pid).net_connections() if c.status == "LISTEN"]
        assert [(address.ip, address.port) for address in listening] == [("127.0.0.1", port)]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/findings", timeout=5) as response:
            assert "Chỉ xem" in response.read().decode()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/" in output and "read-only" in output


def test_serve_and_report_mistakes_get_one_line(tmp_path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    missing = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no findings database" in missing.output
    assert "Traceback" not in missing.output
    help_text = CliRunner().invoke(app, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text and "FINDINGS_TOKEN" in help_text
    url = _sqlite_workbench(tmp_path)
    unwritable = CliRunner().invoke(app, ["report", "--db", url, "--xlsx", str(tmp_path / "no" / "such" / "r.xlsx")])
    assert unwritable.exit_code == 2 and unwritable.output.count("\n") == 1


def test_report_search_and_not_a_finding_from_the_terminal(tmp_path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    url = _sqlite_workbench(tmp_path)
    report = CliRunner().invoke(app, ["report", "--db", url, "--xlsx", str(tmp_path / "r.xlsx")])
    assert report.exit_code == 0, report.output
    workbook = load_workbook(tmp_path / "r.xlsx")
    assert any(ws._charts for ws in workbook.worksheets)
    found = CliRunner().invoke(app, ["query", "--db", url, "--search", "tre hen", "--format", "json"])
    rows = json.loads(found.output)
    assert len(rows) == 3
    dismissed = CliRunner().invoke(app, ["correct", str(rows[0]["id"]), "--db", url, "--not-a-finding"])
    assert dismissed.exit_code == 0, dismissed.output
    again = json.loads(CliRunner().invoke(app, ["query", "--db", url, "--search", "tre hen", "--format", "json"]).output)
    assert len(again) == 2


def test_marks_nest_entities_in_findings_and_go_on_after_a_paragraph_break() -> None:
    from pipeline.contract import DocumentInfo, ExtractResult, Source, Unit
    from pipeline.query.documents import DocumentView, StoredFinding
    from pipeline.web.marks import marked_text

    text = "UBND xã A còn\nchậm trễ <b>. Xong."
    result = ExtractResult(source=Source(path="a.txt", sha256="a" * 64, format="txt"),
                           document=DocumentInfo(text=text), status="ok",
                           units=[Unit(name="xã A", level="xa", role="inspected", mentions=[(5, 9)])])
    finding = StoredFinding(7, "limitation", "khac", "xã A còn\nchậm trễ <b>.", (5, 27), 0.5, False, False, 2, [], 0)
    html = str(marked_text(DocumentView(result, [finding], {}, None)))
    assert html.count('id="f7"') == 1 and html.count('<mark class="finding limitation"') == 2
    assert '<span class="ent unit" title="xã A (xa)">xã A</span>' in html
    assert html.index('id="f7"') < html.index('class="ent unit"') < html.index("</mark>")
    assert "tr. 2" in html and "&lt;b&gt;" in html and "<b>" not in html
    assert html.count("<p>") == html.count("</p>") == 2


def test_a_statement_past_its_budget_is_interrupted_and_the_connection_goes_on(workbench_engine) -> None:  # noqa: F811
    import time

    from sqlalchemy import text

    from pipeline.query.budget import Budget, OutOfTime

    slow = ("SELECT pg_sleep(5)" if workbench_engine.dialect.name == "postgresql" else
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c")
    with workbench_engine.connect() as conn:
        started = time.monotonic()
        with pytest.raises(OutOfTime), Budget(0.05).applied(conn):
            conn.execute(text(slow)).all()
        assert time.monotonic() - started < 2
        with Budget(5).applied(conn):
            assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM findings")).scalar() == 7


def test_facets_past_the_page_budget_are_counted_in_the_background(workbench_engine) -> None:  # noqa: F811
    from pipeline.query.browse import facet_counts
    from pipeline.query.budget import BACKGROUND, CACHE
    from pipeline.query.findings import FindingFilter
    from pipeline.query.overview import overview

    BACKGROUND.wait()
    CACHE.clear()
    first = facet_counts(workbench_engine, FindingFilter(polarity="limitation"), budget=0)
    assert all(f.pending and f.values == [] for f in first)
    assert overview(workbench_engine, budget=0).pending == [
        "by_polarity", "limitations_by_category_year", "top_units", "recurring"]
    BACKGROUND.wait()
    later = facet_counts(workbench_engine, FindingFilter(polarity="limitation"), budget=0)
    assert not any(f.pending for f in later)
    assert {v.value: v.count for v in next(f for f in later if f.name == "polarity").values} == {"limitation": 4}
    assert overview(workbench_engine, budget=0).pending == []
    from pipeline.web.app import create_app

    client = TestClient(create_app(workbench_engine, page_budget=0, overview_budget=0))
    BACKGROUND.wait()
    CACHE.clear()
    counting = client.get("/findings", params={"year": 2023}).text
    assert counting.count("Đang đếm…") == 10  # the total and the nine facets
    assert '<meta http-equiv="refresh" content="3">' in counting  # reloads itself, no script needed
    BACKGROUND.wait()
    counted = client.get("/findings", params={"year": 2023}).text
    assert "Đang đếm" not in counted and 'http-equiv="refresh"' not in counted
    assert client.get("/api/findings", params={"year": 2023}).json()["pending"] is False
    CACHE.clear()
    assert 'http-equiv="refresh"' in client.get("/", params={"province": "Đồng Tháp"}).text
    BACKGROUND.wait()
    overview_page = client.get("/", params={"province": "Đồng Tháp"}).text
    assert 'http-equiv="refresh"' not in overview_page and "Đang đếm" not in overview_page


def test_a_unit_timeline_shows_the_latest_documents_and_counts_them_all(workbench_engine, monkeypatch) -> None:  # noqa: F811
    from pipeline.query import units as unit_queries

    monkeypatch.setattr(unit_queries, "TIMELINE", 1)
    profile = unit_queries.unit_profile(workbench_engine, unit_id(workbench_engine, "xã Tân Hòa"))
    assert profile.documents_total == 2
    assert [(i.date, i.role, i.by_polarity) for i in profile.inspections] == [
        ("2024-04-02", "inspected", {"limitation": 1, "strength": 1})]


@pytest.mark.parametrize("sort", ["date_desc", "date_asc", "confidence_asc", "confidence_desc", "category", "recent"])
def test_walking_an_index_lists_what_sorting_the_matches_lists(workbench_engine, sort) -> None:  # noqa: F811
    from pipeline.query.browse import select_findings
    from pipeline.query.findings import FindingFilter

    tan_hoa = unit_id(workbench_engine, "xã Tân Hòa")
    for filt in (FindingFilter(), FindingFilter(polarity="limitation"), FindingFilter(text="tre hen"),
                 FindingFilter(text="ho so", province="Đồng Tháp", needs_review=False), FindingFilter(year=2023),
                 FindingFilter(level="xa", category="giai_quyet_ho_so"), FindingFilter(unit_id=tan_hoa, year=2024)):
        for offset, limit in ((0, 50), (1, 2)):
            narrow = [r.id for r in select_findings(workbench_engine, filt, sort=sort, offset=offset, limit=limit)]
            broad = [r.id for r in select_findings(workbench_engine, filt, sort=sort, offset=offset, limit=limit,
                                                   broad=True)]
            assert broad == narrow, (filt, offset)
    assert select_findings(workbench_engine, FindingFilter(text="tre hen"), sort="recent", broad=True)


@pytest.mark.parametrize("sort", ["date_desc", "recent"])
def test_an_export_streams_every_finding_in_batches_in_page_order(workbench_engine, sort) -> None:  # noqa: F811
    from pipeline.query.browse import iter_findings, select_findings
    from pipeline.query.findings import FindingFilter

    for filt in (FindingFilter(), FindingFilter(polarity="limitation"), FindingFilter(text="tre hen")):
        listed = [row.id for row in select_findings(workbench_engine, filt, sort=sort)]
        batches = list(iter_findings(workbench_engine, filt, sort=sort, batch=2))
        assert [row.id for batch in batches for row in batch] == listed
        assert all(len(batch) <= 2 for batch in batches) and len(batches) == -(-len(listed) // 2)
        assert [row.id for b in iter_findings(workbench_engine, filt, sort=sort, limit=1) for row in b] == listed[:1]

"""The workbench: FastAPI routes that render server-side pages and their JSON twins.

Pages work without JavaScript. Every findings view has a JSON twin under
/api and CSV and XLSX downloads with the same filters. Corrections need the
token (`FINDINGS_TOKEN`); without it the workbench is read-only.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, select

from pipeline import __version__
from pipeline.labels import (
    LEVEL_LABELS,
    POLARITY_LABELS,
    ROLE_LABELS,
    category_label,
    facet_label,
)
from pipeline.query.browse import (
    PAGE_BUDGET_S,
    PAGE_SIZES,
    SORTS,
    facet_counts,
    findings_page,
    iter_findings,
    select_findings,
)
from pipeline.query.budget import BACKGROUND, remembered, remembered_or_counting
from pipeline.query.documents import document_view
from pipeline.query.export import csv_chunks, write_xlsx
from pipeline.query.findings import FindingFilter, summarise
from pipeline.query.overview import overview
from pipeline.query.units import unit_profile
from pipeline.store.database import correct_finding, data_version
from pipeline.store.schema import POLARITIES, findings
from pipeline.taxonomy import load_taxonomy
from pipeline.web.auth import SESSION_COOKIE, SESSION_SECONDS, Guard, same_origin
from pipeline.web.charts import POLARITY_COLOURS, bar_chart, stacked_columns
from pipeline.web.filters import FILTER_PARAMETERS, BadParameter, View, parse_view
from pipeline.web.marks import marked_text

HERE = Path(__file__).parent
XLSX_MAX_ROWS = 100_000  # larger views download as CSV
OVERVIEW_BUDGET_S = 0.08  # the overview's slow tables are counted in the background past this
REFRESH_PENDING_S = 3  # a page with parts still being counted reloads itself after this (no script needed)
SORT_LABELS = {"date_desc": "Mới nhất", "date_asc": "Cũ nhất", "confidence_asc": "Độ tin cậy thấp trước",
               "confidence_desc": "Độ tin cậy cao trước", "category": "Lĩnh vực", "recent": "Mới nhập trước"}


def create_app(engine: Engine, *, token: str | None = None, page_budget: float | None = PAGE_BUDGET_S,
               overview_budget: float | None = OVERVIEW_BUDGET_S) -> FastAPI:
    """The workbench on `engine`; `token` (default: $FINDINGS_TOKEN) enables corrections.

    A findings page's total and facets not counted within `page_budget` seconds, and the overview's tables
    past `overview_budget`, show as being counted (the page reloads itself) and are, in the background.
    A budget of None waits for every count.
    """
    guard = Guard(token if token is not None else os.environ.get("FINDINGS_TOKEN") or None)
    app = FastAPI(title="Findings workbench", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        POLARITY_LABELS=POLARITY_LABELS, LEVEL_LABELS=LEVEL_LABELS, ROLE_LABELS=ROLE_LABELS,
        category_label=category_label, facet_label=facet_label, SORT_LABELS=SORT_LABELS,
        PAGE_SIZES=PAGE_SIZES, POLARITIES=POLARITIES, CATEGORIES=tuple(load_taxonomy().categories),
        version=__version__,
    )

    def render(request: Request, name: str, status: int = 200, *, pending: bool = False,
               **context: Any) -> HTMLResponse:
        """A page; one with parts still `pending` (being counted) reloads itself after REFRESH_PENDING_S."""
        nonce = guard.session_nonce(request.cookies.get(SESSION_COOKIE))
        context |= {"can_correct": nonce is not None, "csrf": guard.csrf_for(nonce) if nonce else "",
                    "corrections_enabled": guard.enabled, "refresh_after": REFRESH_PENDING_S if pending else None}
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
            "frame-ancestors 'none'; form-action 'self'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def problem(request: Request, message: str, status: int, api: bool) -> Response:
        if api:
            return JSONResponse({"error": message}, status_code=status)
        return render(request, "error.html", status=status, message=message)

    def view_of(request: Request) -> View:
        return parse_view(dict(request.query_params))

    @app.exception_handler(BadParameter)
    async def bad_parameter(request: Request, exc: BadParameter) -> Response:
        return problem(request, str(exc), 400, request.url.path.startswith("/api/"))

    @app.get("/", response_class=HTMLResponse)
    def overview_page(request: Request) -> Response:
        view = view_of(request)
        data = overview(engine, view.filt, budget=overview_budget)
        years = [str(y) for y in data.years]
        chart = stacked_columns(
            data.categories, {y: [data.limitations_by_category_year[c][int(y)] for c in data.categories]
                              for y in years},
            labels={c: category_label(c) for c in data.categories}, title="Hạn chế theo lĩnh vực và năm")
        recurring_chart = bar_chart(
            [(f"{r.unit} · {category_label(r.category)}", r.documents) for r in data.recurring],
            title="Hạn chế lặp lại (số văn bản)")
        units_chart = bar_chart([(u.name, u.limitations) for u in data.top_units], title="Đơn vị nhiều hạn chế")
        totals = summary(wait=overview_budget is None)
        return render(request, "overview.html", view=view, data=data, summary=totals, chart=chart,
                      recurring_chart=recurring_chart, units_chart=units_chart,
                      pending=bool(data.pending) or totals is None)

    @app.get("/api/overview")
    def overview_api(request: Request) -> dict:
        return overview(engine, view_of(request).filt, budget=overview_budget).to_dict()

    def summary(*, wait: bool) -> Any:
        """The archive's totals; without `wait`, None while they are counted in the background."""
        key = (str(engine.url), data_version(engine), "summary")
        return (remembered if wait else remembered_or_counting)(key, lambda: summarise(engine))

    def warm_up() -> None:
        """Count what the first visitors see (the overview, the unfiltered findings) before they ask."""
        summary(wait=True)
        overview(engine, View(FindingFilter()).filt)
        facet_counts(engine, FindingFilter())

    BACKGROUND.submit(("warm-up", str(engine.url)), warm_up)

    @app.get("/report.xlsx")
    def overview_workbook(request: Request) -> Response:
        from pipeline.query.report import write_report_xlsx

        data = overview(engine, view_of(request).filt)
        return _xlsx_response(lambda path: write_report_xlsx(data, path), "bao-cao-phat-hien.xlsx")

    @app.get("/findings", response_class=HTMLResponse)
    def findings_view(request: Request) -> Response:
        view = view_of(request)
        page = findings_page(engine, view.filt, page=view.page, per_page=view.per_page, sort=view.sort,
                             budget=page_budget)
        view = replace(view, page=page.page)
        return render(request, "findings.html", view=view, result=page, xlsx_max=XLSX_MAX_ROWS,
                      pending=page.pending)

    @app.get("/api/findings")
    def findings_api(request: Request) -> dict:
        view = view_of(request)
        return findings_page(engine, view.filt, page=view.page, per_page=view.per_page, sort=view.sort,
                             budget=page_budget).to_dict()

    @app.get("/findings.csv")
    def findings_csv(request: Request) -> Response:
        view = view_of(request)

        batches = iter_findings(engine, view.filt, sort=view.sort)
        return StreamingResponse(
            (chunk.encode("utf-8") for chunk in csv_chunks(batches)), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="phat-hien.csv"'})

    @app.get("/findings.xlsx")
    def findings_xlsx(request: Request) -> Response:
        view = view_of(request)
        rows = select_findings(engine, view.filt, sort=view.sort, limit=XLSX_MAX_ROWS + 1)
        if len(rows) > XLSX_MAX_ROWS:
            return problem(request, f"Quá {XLSX_MAX_ROWS:,} phát hiện cho một tệp Excel: hãy lọc bớt "
                                    "hoặc tải tệp CSV.", 413, False)
        return _xlsx_response(lambda path: write_xlsx(rows, path), "phat-hien.xlsx")

    @app.get("/units/{unit_id}", response_class=HTMLResponse)
    def unit_page(request: Request, unit_id: int) -> Response:
        profile = unit_profile(engine, unit_id)
        if profile is None:
            return problem(request, f"Không có đơn vị số {unit_id}.", 404, False)
        view = View(replace(view_of(request).filt, unit_id=unit_id))
        page = findings_page(engine, view.filt, per_page=100, with_facets=False, budget=None)
        chart = stacked_columns(
            list(profile.by_category),
            {POLARITY_LABELS[p]: [profile.by_category[c].get(p, 0) for c in profile.by_category] for p in POLARITIES},
            labels={c: category_label(c) for c in profile.by_category}, title="Phát hiện theo lĩnh vực",
            colours={POLARITY_LABELS[p]: colour for p, colour in POLARITY_COLOURS.items()})
        return render(request, "unit.html", unit=profile, view=view, result=page, chart=chart)

    @app.get("/api/units/{unit_id}")
    def unit_api(request: Request, unit_id: int) -> Response:
        profile = unit_profile(engine, unit_id)
        if profile is None:
            return problem(request, f"no unit {unit_id}", 404, True)
        return JSONResponse(profile.to_dict())

    @app.get("/documents/{sha256}", response_class=HTMLResponse)
    def document_page(request: Request, sha256: str) -> Response:
        document = document_view(engine, sha256.lower())
        if document is None:
            return problem(request, "Không có văn bản này trong cơ sở dữ liệu.", 404, False)
        return render(request, "document.html", doc=document, marked=marked_text(document))

    @app.get("/api/documents/{sha256}")
    def document_api(request: Request, sha256: str) -> Response:
        document = document_view(engine, sha256.lower())
        if document is None:
            return problem(request, f"no document {sha256[:64]}", 404, True)
        return JSONResponse(document.to_dict())

    @app.get("/api", response_class=HTMLResponse)
    def api_help(request: Request) -> Response:
        return render(request, "api.html", parameters=FILTER_PARAMETERS, sorts=SORTS)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return render(request, "login.html", failed=False, next=_safe_next(request.query_params.get("next")))

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await _form(request)
        target = _safe_next(form.get("next"))
        if not same_origin(request.headers.get("origin"), request.headers.get("referer"), request.headers.get("host")):
            return problem(request, "Yêu cầu từ trang khác bị từ chối.", 403, False)
        if not guard.token_ok(form.get("token")):
            return render(request, "login.html", status=403, failed=True, next=target)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(SESSION_COOKIE, guard.new_session(), max_age=SESSION_SECONDS, httponly=True,
                            samesite="strict", secure=request.url.scheme == "https")
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.post("/findings/{finding_id}/correct")
    async def correct_form(request: Request, finding_id: int) -> Response:
        form = await _form(request)
        nonce = guard.session_nonce(request.cookies.get(SESSION_COOKIE))
        if nonce is None:
            return problem(request, "Cần đăng nhập bằng mã sửa (FINDINGS_TOKEN) để sửa phát hiện.", 403, False)
        if not (same_origin(request.headers.get("origin"), request.headers.get("referer"),
                            request.headers.get("host")) and guard.csrf_ok(nonce, form.get("csrf"))):
            return problem(request, "Yêu cầu sửa không hợp lệ (CSRF).", 403, False)
        try:
            _apply(finding_id, form, form.get("who") or "web")
        except (ValueError, LookupError) as exc:
            return problem(request, str(exc), 400 if isinstance(exc, ValueError) else 404, False)
        return RedirectResponse(_safe_next(form.get("next")) + f"#f{finding_id}", status_code=303)

    @app.post("/api/findings/{finding_id}/corrections")
    async def correct_api(request: Request, finding_id: int) -> Response:
        if not guard.bearer_ok(request.headers.get("authorization")):
            return problem(request, "corrections need 'Authorization: Bearer <FINDINGS_TOKEN>'", 403, True)
        try:
            body = await request.json()
        except ValueError:
            return problem(request, "the body must be a JSON object", 400, True)
        if not isinstance(body, dict):
            return problem(request, "the body must be a JSON object", 400, True)
        try:
            changed = _apply(finding_id, {k: _as_form(v) for k, v in body.items()}, str(body.get("who") or "api"))
        except ValueError as exc:
            return problem(request, str(exc), 400, True)
        except LookupError as exc:
            return problem(request, str(exc), 404, True)
        return JSONResponse({"finding": finding_id, "changed": changed})

    def _apply(finding_id: int, form: dict[str, str], who: str) -> list[str]:
        """Apply the changes a form or API body asks for; returns the fields changed."""
        changes: dict[str, Any] = {}
        if form.get("category"):
            if form["category"] not in load_taxonomy().categories:
                raise ValueError(f"không có lĩnh vực {form['category'][:40]!r}")
            changes["category"] = form["category"]
        if form.get("polarity"):
            if form["polarity"] not in POLARITIES:
                raise ValueError(f"polarity: một trong {', '.join(POLARITIES)}")
            changes["polarity"] = form["polarity"]
        if form.get("dismissed") in ("true", "false"):
            changes["dismissed"] = form["dismissed"] == "true"
        if not changes:
            raise ValueError("không có gì để sửa (category, polarity hoặc dismissed)")
        who = who.strip()[:100] or "web"
        changed = []
        current = _current(finding_id)
        for field, value in changes.items():
            if current.get(field) != value:
                correct_finding(engine, finding_id, field=field, value=value, who=who)
                changed.append(field)
        return changed

    def _current(finding_id: int) -> dict[str, Any]:
        with engine.connect() as conn:
            row = conn.execute(select(findings.c.category, findings.c.polarity, findings.c.dismissed)
                               .where(findings.c.id == finding_id)).first()
        if row is None:
            raise LookupError(f"không có phát hiện số {finding_id}")
        return {"category": row.category, "polarity": row.polarity, "dismissed": bool(row.dismissed)}

    return app


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form body (last value of each field)."""
    body = (await request.body())[:100_000].decode("utf-8", "replace")
    return {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}


def _as_form(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _safe_next(target: str | None) -> str:
    """A local path to go back to after a form (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/findings"
    return target


def _xlsx_response(write: Any, filename: str) -> Response:
    with tempfile.TemporaryDirectory(prefix="findings-xlsx-") as folder:
        path = Path(folder) / filename
        write(path)
        data = path.read_bytes()
    return Response(io.BytesIO(data).getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

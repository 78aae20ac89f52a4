"""Query parameters of the workbench's pages and API <-> `FindingFilter`, validated."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from pipeline.contract import UNIT_LEVELS
from pipeline.query.browse import PAGE_SIZES, SORTS, as_parameter
from pipeline.query.findings import FindingFilter
from pipeline.store.schema import POLARITIES
from pipeline.taxonomy import load_taxonomy

# Query parameter -> FindingFilter field.
FILTER_PARAMETERS = {
    "q": "text", "province": "province", "district": "district", "unit_id": "unit_id", "level": "level",
    "category": "category", "polarity": "polarity", "year": "year", "needs_review": "needs_review",
    "cited_number": "cited_number", "since": "since", "until": "until", "document": "document",
}
VIEW_PARAMETERS = ("sort", "page", "per_page")
MAX_TEXT = 300


class BadParameter(ValueError):
    """A query parameter the workbench cannot use; its message is shown to the user."""


@dataclass
class View:
    """What a findings request asks for: the filter, and which page in which order."""

    filt: FindingFilter
    sort: str = "date_desc"  # see `default_sort`
    page: int = 1
    per_page: int = 50

    def parameters(self) -> dict[str, str]:
        """The request's parameters, canonical (only those set; page 1 and defaults left out)."""
        params = {name: as_parameter(getattr(self.filt, field)) for name, field in FILTER_PARAMETERS.items()}
        params |= {"sort": self.sort if self.sort != default_sort(self.filt.text) else None,
                   "per_page": str(self.per_page) if self.per_page != 50 else None,
                   "page": str(self.page) if self.page != 1 else None}
        return {k: v for k, v in params.items() if v not in (None, "")}

    def link(self, path: str, **changes: str | int | None) -> str:
        """`path` with this view's parameters, some changed (None removes one); filters reset the page."""
        params = self.parameters()
        if any(key in FILTER_PARAMETERS or key in ("sort", "per_page") for key in changes):
            params.pop("page", None)
        for key, value in changes.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = str(value)
        return f"{path}?{urlencode(params)}" if params else path


def default_sort(text: object) -> str:
    """Newest documents first; for a free-text search, the findings stored last first (the order the
    full-text index gives them in at once, however many match)."""
    return "recent" if text else "date_desc"


def _integer(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise BadParameter(f"{name}: '{value[:40]}' không phải là số") from None
    if not low <= number <= high:
        raise BadParameter(f"{name}: {number} nằm ngoài khoảng {low}–{high}")
    return number


def parse_view(params: dict[str, str]) -> View:
    """A `View` from query parameters; unknown parameters are ignored, bad values raise BadParameter."""
    values: dict[str, object] = {}
    for name, field in FILTER_PARAMETERS.items():
        raw = (params.get(name) or "").strip()
        if not raw:
            continue
        if len(raw) > MAX_TEXT:
            raise BadParameter(f"{name}: quá dài (tối đa {MAX_TEXT} ký tự)")
        if name == "category" and raw not in load_taxonomy().categories:
            raise BadParameter(f"category: không có lĩnh vực '{raw[:40]}'")
        if name == "polarity" and raw not in POLARITIES:
            raise BadParameter(f"polarity: một trong {', '.join(POLARITIES)}")
        if name == "level" and raw not in UNIT_LEVELS:
            raise BadParameter(f"level: không có cấp '{raw[:40]}'")
        if name == "needs_review" and raw not in ("true", "false"):
            raise BadParameter("needs_review: true hoặc false")
        if name in ("since", "until") and not _is_iso(raw):
            raise BadParameter(f"{name}: ngày theo dạng YYYY-MM-DD, YYYY-MM hoặc YYYY")
        if name == "unit_id":
            values[field] = _integer(name, raw, 1, 2**62)
        elif name == "year":
            values[field] = _integer(name, raw, 1900, 2200)
        elif name == "needs_review":
            values[field] = raw == "true"
        else:
            values[field] = raw
    sort = params.get("sort") or default_sort(values.get("text"))
    if sort not in SORTS:
        raise BadParameter(f"sort: một trong {', '.join(SORTS)}")
    per_page = _integer("per_page", params["per_page"], 1, max(PAGE_SIZES)) if params.get("per_page") else 50
    if per_page not in PAGE_SIZES:
        raise BadParameter(f"per_page: một trong {', '.join(map(str, PAGE_SIZES))}")
    page = _integer("page", params["page"], 1, 10**7) if params.get("page") else 1
    return View(FindingFilter(**values), sort=sort, page=page, per_page=per_page)


def _is_iso(value: str) -> bool:
    from pipeline.store.schema import date_bounds

    return date_bounds(value) is not None

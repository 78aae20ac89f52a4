"""The output contract of `findings extract` (see docs/extract-output.md).

One place for the shape every stage hands on: the reader fills `Source`,
metadata fills `DocumentInfo`, extractors fill units, dates, findings and
legal references, and `ExtractResult.to_dict()` is the JSON line printed and
the record stored. Field names here are a contract: add, never rename.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["ok", "partial", "failed"]
Polarity = Literal["strength", "limitation", "recommendation"]
UnitRole = Literal["inspected", "inspector", "mentioned"]
DateRole = Literal["published", "inspection", "document", "period", "other"]
Topic = Literal["inspection", "other"]  # whether a document reports an inspection (pipeline/relevance.py)
Span = tuple[int, int]

UNIT_LEVELS = (
    "tinh", "thanh_pho", "huyen", "quan", "thi_xa", "xa", "phuong", "thi_tran",
    "so", "phong", "ban", "truong", "co_quan", "khac",
)


@dataclass
class StageError:
    """An error recorded against a document, with the stage that raised it."""

    stage: str
    message: str


@dataclass
class Source:
    """Where the text came from: the file and how it was decoded."""

    path: str
    sha256: str
    format: str
    encoding: str | None = None
    pages: int | None = None
    ocr: bool = False
    size_bytes: int | None = None


@dataclass
class DocumentInfo:
    """Document-level metadata and the normalised text all spans refer to."""

    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    kind: str = "other"
    text_chars: int = 0
    text: str | None = None
    published_confidence: float | None = None
    issued: str | None = None  # a formal document's own date (its place-date line), ISO
    topic: Topic | None = None  # None: not judged (results made before the relevance stage)
    topic_confidence: float | None = None  # 0..1, how sure the topic is


@dataclass
class Unit:
    """An administrative unit, canonical "<cấp> <Tên>", with its mentions."""

    name: str
    level: str
    role: UnitRole
    parent: str | None = None
    province: str | None = None
    admin_code: str | None = None
    mentions: list[Span] = field(default_factory=list)
    current_name: str | None = None
    current_province: str | None = None
    pages: list[int | None] = field(default_factory=list)  # page of each mention


@dataclass
class DateMention:
    """A date or period in the text, normalised to ISO."""

    iso: str
    text: str
    role: DateRole
    span: Span
    end_iso: str | None = None
    time: str | None = None  # 'HH:MM' when a time of day goes with the day ('16h30 ngày 5/6')
    page: int | None = None  # 1-based page of the file it is on (None where the format has no pages)


@dataclass
class Finding:
    """One atomic statement with a polarity and a taxonomy category."""

    polarity: Polarity
    category: str
    text: str
    span: Span
    units: list[str] = field(default_factory=list)
    confidence: float = 0.0
    polarity_source: str = "rule"
    needs_review: bool = False
    quantity: str | None = None
    page: int | None = None  # 1-based page of the file it starts on (None where the format has no pages)


@dataclass
class LegalRef:
    """A cited legal or administrative document."""

    kind: str
    number: str | None
    span: Span
    date: str | None = None
    issuer: str | None = None
    text: str = ""
    page: int | None = None


@dataclass
class ExtractResult:
    """Everything mined from one document: the unit of storage and of output."""

    source: Source
    document: DocumentInfo = field(default_factory=DocumentInfo)
    status: Status = "ok"
    errors: list[StageError] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    legal_refs: list[LegalRef] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)

    def fail(self, stage: str, message: str) -> None:
        """Record an error that stops this document."""
        self.errors.append(StageError(stage, message))
        self.status = "failed"

    def to_dict(self, *, with_text: bool = False) -> dict[str, Any]:
        """The contract's JSON object (spans as two-item lists)."""
        data = asdict(self)
        if not with_text:
            data["document"].pop("text", None)
        return data


def settings_version(settings: Any) -> str:
    """A settings dataclass as the text a stored version records ('name=value;...'): a changed
    threshold changes the version of every result it produces."""
    return ";".join(f"{name}={value:g}" for name, value in asdict(settings).items())


def result_from_dict(data: dict[str, Any]) -> ExtractResult:
    """Rebuild an `ExtractResult` from its JSON form (inverse of `to_dict`)."""

    def span(value: Any) -> Span:
        return (int(value[0]), int(value[1]))

    return ExtractResult(
        source=Source(**data["source"]),
        document=DocumentInfo(**data.get("document", {})),
        status=data.get("status", "ok"),
        errors=[StageError(**e) for e in data.get("errors", [])],
        units=[
            Unit(**{**u, "mentions": [span(m) for m in u.get("mentions", [])]})
            for u in data.get("units", [])
        ],
        dates=[DateMention(**{**d, "span": span(d["span"])}) for d in data.get("dates", [])],
        findings=[Finding(**{**f, "span": span(f["span"])}) for f in data.get("findings", [])],
        legal_refs=[LegalRef(**{**r, "span": span(r["span"])}) for r in data.get("legal_refs", [])],
        versions=data.get("versions", {}),
    )

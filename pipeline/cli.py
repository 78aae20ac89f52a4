"""The `findings` command."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.discover import discover_files

app = typer.Typer(
    help="Mine Vietnamese administrative-reform inspection reports into a findings database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

corpus_app = typer.Typer(help="Check the annotated training corpus.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus", help="Check the annotated training corpus (validate).")

DEFAULT_DB = "sqlite:///findings.db"
DbOption = Annotated[str, typer.Option("--db", help="SQLAlchemy database URL.", envvar="FINDINGS_DB")]


def _quiet_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


def _prepare_prefect(verbose: bool) -> None:
    """Prefect reads its settings when imported; `flows` quiets it unless --verbose."""
    if verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
        os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to read.", exists=True)],
    output_format: Annotated[str, typer.Option("--format", help="Output format: jsonl.")] = "jsonl",
    with_text: Annotated[bool, typer.Option("--with-text", help="Include the normalised text.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False,
) -> None:
    """Print what is mined from each document as JSON lines (no database)."""
    _quiet_logging(verbose)
    if output_format != "jsonl":
        raise typer.BadParameter("only 'jsonl' is supported", param_hint="--format")
    from pipeline.process import extract_path

    for path in discover_files(paths):
        result = extract_path(path)
        sys.stdout.write(json.dumps(result.to_dict(with_text=with_text), ensure_ascii=False) + "\n")
        sys.stdout.flush()


@app.command()
def ingest(
    folder: Annotated[list[Path], typer.Argument(help="Folders or files to ingest.")],
    db: DbOption = DEFAULT_DB,
    workers: Annotated[int | None, typer.Option(
        help="Worker processes for extraction (default: every core).", min=1)] = None,
    chunk_size: Annotated[int | None, typer.Option(
        help="Documents per Prefect task (default: about four tasks per worker, at most 100).", min=1)] = None,
    dask_address: Annotated[str | None, typer.Option(
        "--dask-address", help="Run the tasks on this Dask scheduler's workers (tcp://HOST:8786) "
        "instead of local worker processes.")] = None,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help="Also try again the files that failed in earlier runs.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary table "
                                        "(for cron); failures are still listed.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
) -> None:
    """Ingest folders through the Prefect flow into the findings database, then summarise.

    Exit status: 0 when every file processed is stored, 3 when the run finished
    but some files failed (`findings failures` lists them), 2 for a usage or
    database error.
    """
    missing = [p for p in folder if not p.exists() and not p.is_symlink()]
    if missing:
        _fail(f"{_shown(missing[0])} does not exist")
    _prepare_prefect(verbose)
    url = _open_database(db, create=True).url.render_as_string(hide_password=False)
    from flows.ingest import run_ingest
    from flows.runtime import RuntimeStartError

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        report = run_ingest(folder, db_url=url, workers=workers, chunk_size=chunk_size, verbose=verbose,
                            retry_failed=retry_failed, progress=not quiet and sys.stderr.isatty(),
                            dask_address=dask_address)
    except RuntimeStartError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted; every document stored so far is kept (run the same command to go on)", 130)
    if report.found == 0:
        typer.echo(f"ingest: no files found in {', '.join(_shown(p) for p in folder)}")
        raise typer.Exit(0)
    if quiet:
        if report.failures:
            typer.echo(report.describe())
    else:
        typer.echo(report.describe())
        from pipeline.query.export import render_summary
        from pipeline.query.findings import summarise

        typer.echo(render_summary(summarise(_open_database(url))))
    raise typer.Exit(report.exit_code)


def _interrupt(signum: int, _frame: object) -> None:
    """SIGTERM ends an ingest as Ctrl-C does: workers and servers stopped, the flow run marked."""
    raise KeyboardInterrupt(f"signal {signum}")


def _shown(path: Path) -> str:
    from pipeline.paths import display_path

    return display_path(path)


def _fail(message: str, code: int = 2) -> None:
    """One line on stderr and the exit status: how every CLI mistake ends."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _open_database(db: str, *, create: bool = False):
    """The database `--db` names; a one-line error and exit status 2 when it cannot be opened."""
    from pipeline.store.database import StoreError, open_database

    try:
        return open_database(db, create=create)
    except StoreError as exc:
        _fail(str(exc))


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="The folder new files arrive in.")],
    db: DbOption = DEFAULT_DB,
    every: Annotated[str, typer.Option(help="How often to look: 30s, 10m, 2h, 1d.")] = "10m",
    workers: Annotated[int | None, typer.Option(
        help="Worker processes per run (default: every core).", min=1)] = None,
    chunk_size: Annotated[int | None, typer.Option(
        help="Documents per Prefect task (default: about four tasks per worker, at most 100).", min=1)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
) -> None:
    """Ingest new files from INBOX on a schedule (a Prefect deployment served until stopped)."""
    from flows.watch import parse_interval

    if not inbox.is_dir():
        _fail(f"{_shown(inbox)} is not a folder")
    try:
        interval = parse_interval(every)
    except ValueError as exc:
        _fail(str(exc))
    engine_url = _open_database(db, create=True).url
    url, shown_url = engine_url.render_as_string(hide_password=False), engine_url.render_as_string()
    _prepare_prefect(verbose)
    from flows.ingest import prefect_run
    from flows.runtime import RuntimeStartError
    from flows.watch import serve_inbox

    typer.echo(f"watching {_shown(inbox)} every {every}, storing into {shown_url}; Ctrl-C or SIGTERM stops",
               err=True)
    try:
        with prefect_run(verbose=verbose):
            serve_inbox(inbox, db_url=url, every=interval, workers=workers or os.cpu_count() or 1,
                        chunk_size=chunk_size)
    except RuntimeStartError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


@app.command()
def reprocess(
    db: DbOption = DEFAULT_DB,
    stale: Annotated[bool, typer.Option(
        "--stale/--all", help="Only documents an older pipeline produced (default), or every document.")] = True,
    workers: Annotated[int | None, typer.Option(
        help="Worker processes (default: every core).", min=1)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
) -> None:
    """Run stored documents through the current pipeline again, keeping analysts' corrections.

    A document is stale when a stage that produced it (reader, layout, units,
    dates, legal references, findings rules, classifier...) has another version
    now. Each is read again from its file and replaced in one transaction;
    corrections are applied again, or kept as orphaned when their finding is
    gone. Exit status: 0, or 3 when some documents could not be run again.
    """
    url = _open_database(db).url.render_as_string(hide_password=False)
    _prepare_prefect(verbose)
    from flows.reprocess import run_reprocess
    from flows.runtime import RuntimeStartError

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        report = run_reprocess(url, stale_only=stale, workers=workers, verbose=verbose)
    except RuntimeStartError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted; every document replaced so far is kept (run the same command to go on)", 130)
    typer.echo(report.describe())
    raise typer.Exit(report.exit_code)


@app.command()
def query(
    db: DbOption = DEFAULT_DB,
    unit: Annotated[str | None, typer.Option(help="Unit name contains (e.g. 'Tam Quang').")] = None,
    category: Annotated[str | None, typer.Option(help="Category code from the taxonomy.")] = None,
    polarity: Annotated[str | None, typer.Option(help="strength | limitation | recommendation.")] = None,
    since: Annotated[str | None, typer.Option(help="Documents dated on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Documents dated on or before (YYYY-MM-DD).")] = None,
    cites: Annotated[str | None, typer.Option(help="Only documents citing this ('Chỉ thị 26').")] = None,
    search: Annotated[str | None, typer.Option(
        help="Words in the finding, its units or its document's title; diacritics optional ('tre hen').")] = None,
    review: Annotated[bool, typer.Option("--needs-review", help="Only findings marked for review.")] = False,
    output_format: Annotated[str, typer.Option("--format", help="table | csv | json | xlsx.")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many findings.")] = None,
    off_topic: Annotated[bool, typer.Option(
        "--off-topic", help="Instead, list the documents judged not about an inspection (stored without "
        "findings), as `findings documents --topic other` does.")] = False,
) -> None:
    """List findings by unit, category, polarity and date range."""
    from pipeline.query import export
    from pipeline.query.findings import FindingFilter, query_findings

    if off_topic:
        documents(db=db, topic="other", output_format=output_format, limit=limit)
        return
    _check_codes(category, polarity)
    filt = FindingFilter(unit=unit, category=category, polarity=polarity, since=since, until=until,
                         cites=cites, needs_review=True if review else None, limit=limit, text=search)
    try:
        rows = query_findings(_open_database(db), filt)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    _write_rows(rows, output_format, output, export)


def _emit(rows: list, output_format: str, render) -> None:
    """Print rows as a table (`render`), or as CSV or JSON records."""
    from pipeline.query.export import write_records

    if output_format == "table":
        typer.echo(render(rows))
    elif output_format in ("csv", "json"):
        write_records(rows, output_format, sys.stdout)
    else:
        raise typer.BadParameter("one of: table, csv, json", param_hint="--format")


def _check_codes(category: str | None, polarity: str | None) -> None:
    from pipeline.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    if category and category not in taxonomy.categories:
        raise typer.BadParameter(f"unknown category; one of: {', '.join(taxonomy.category_codes)}",
                                 param_hint="--category")
    if polarity and polarity not in taxonomy.polarities:
        raise typer.BadParameter(f"one of: {', '.join(taxonomy.polarity_codes)}", param_hint="--polarity")


def _write_rows(rows, output_format: str, output: Path | None, export) -> None:
    if output_format == "xlsx":
        if output is None:
            raise typer.BadParameter("xlsx needs --output FILE.xlsx", param_hint="--format")
        export.write_xlsx(rows, output)
        typer.echo(f"wrote {len(rows)} findings to {output}", err=True)
        return
    writers = {"csv": export.write_csv, "json": export.write_json}
    if output_format == "table":
        text = export.render_table(rows)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            typer.echo(text)
        return
    if output_format not in writers:
        raise typer.BadParameter("one of: table, csv, json, xlsx", param_hint="--format")
    if output:
        with output.open("w", encoding="utf-8", newline="") as stream:
            writers[output_format](rows, stream)
    else:
        writers[output_format](rows, sys.stdout)


@app.command()
def recurrence(
    db: DbOption = DEFAULT_DB,
    unit: Annotated[str | None, typer.Option(help="Unit name contains.")] = None,
    category: Annotated[str | None, typer.Option(help="Category code from the taxonomy.")] = None,
    polarity: Annotated[str, typer.Option(help="strength | limitation | recommendation.")] = "limitation",
    since: Annotated[str | None, typer.Option(help="Documents dated on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Documents dated on or before (YYYY-MM-DD).")] = None,
    min_documents: Annotated[int, typer.Option(help="Keep what appears in at least N documents.")] = 2,
    output_format: Annotated[str, typer.Option("--format", help="table | csv | json.")] = "table",
    limit: Annotated[int | None, typer.Option(help="At most this many rows.")] = None,
) -> None:
    """Which units have the same kind of finding again and again (per unit and category)."""
    from pipeline.query.export import render_recurrence
    from pipeline.query.findings import FindingFilter
    from pipeline.query.findings import recurrence as find_recurrence

    _check_codes(category, polarity)
    filt = FindingFilter(unit=unit, category=category, polarity=polarity, since=since, until=until,
                         limit=limit)
    rows = find_recurrence(_open_database(db), filt, min_documents=min_documents)
    _emit(rows, output_format, render_recurrence)


@app.command()
def cites(
    legal_text: Annotated[str, typer.Argument(help="The cited text, e.g. 'Chỉ thị 26' or '61/2018/NĐ-CP'.")],
    db: DbOption = DEFAULT_DB,
    output_format: Annotated[str, typer.Option("--format", help="table | csv | json.")] = "table",
    limit: Annotated[int | None, typer.Option(help="At most this many rows.")] = None,
) -> None:
    """Which stored reports cite a legal document (Quyết định, Chỉ thị, Kế hoạch...)."""
    from pipeline.query.export import render_citations
    from pipeline.query.findings import citations

    try:
        rows = citations(_open_database(db), legal_text, limit=limit)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    _emit(rows, output_format, render_citations)


@app.command()
def documents(
    db: DbOption = DEFAULT_DB,
    topic: Annotated[str | None, typer.Option(
        help="inspection | other (judged off-topic: stored without findings) | unjudged.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table | csv | json.")] = "table",
    limit: Annotated[int | None, typer.Option(help="At most this many rows.")] = None,
) -> None:
    """List stored documents with their topic (inspection or other) and number of findings."""
    from pipeline.query.documents import list_documents
    from pipeline.query.export import render_documents

    try:
        rows = list_documents(_open_database(db), topic=topic, limit=limit)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--topic") from exc
    _emit(rows, output_format, render_documents)


@app.command()
def failures(
    db: DbOption = DEFAULT_DB,
    include_resolved: Annotated[bool, typer.Option("--all", help="Also failures since resolved.")] = False,
    output_format: Annotated[str, typer.Option("--format", help="table | csv | json.")] = "table",
) -> None:
    """List the files that could not be processed, with the stage and the reason."""
    from pipeline.query.export import render_failures
    from pipeline.store.database import list_failures

    rows = list_failures(_open_database(db), include_resolved=include_resolved)
    _emit(rows, output_format, render_failures)


@app.command()
def correct(
    finding: Annotated[int, typer.Argument(help="The finding's id (first column of `findings query`).")],
    db: DbOption = DEFAULT_DB,
    category: Annotated[str | None, typer.Option(help="The right category code.")] = None,
    polarity: Annotated[str | None, typer.Option(help="The right polarity.")] = None,
    not_a_finding: Annotated[bool | None, typer.Option(
        "--not-a-finding/--a-finding", help="Mark it not a finding (left out of every listing), or undo that.")] = None,
    who: Annotated[str, typer.Option(help="Who makes the correction.", envvar="USER")] = "analyst",
) -> None:
    """Fix a finding's category or polarity, or mark it not a finding; each change is logged and kept
    when documents are re-processed, and `train --with-corrections` learns from it."""
    from pipeline.store.database import correct_finding

    if category is None and polarity is None and not_a_finding is None:
        raise typer.BadParameter("give --category, --polarity and/or --not-a-finding")
    _check_codes(category, polarity)
    engine = _open_database(db)
    try:
        for field, value in (("category", category), ("polarity", polarity), ("dismissed", not_a_finding)):
            if value is not None:
                correct_finding(engine, finding, field=field, value=value, who=who)
    except LookupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"finding {finding} corrected")


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 opens it to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """The analysts' workbench in the browser: findings with facets and search, units, documents with their
    findings marked, an overview with charts, CSV/Excel downloads and a JSON API (see /api). Read-only unless
    the environment holds FINDINGS_TOKEN, the token that lets a browser or script correct findings."""
    import uvicorn

    from pipeline.web.app import create_app

    engine = _open_database(db)
    application = create_app(engine)
    mode = "corrections with FINDINGS_TOKEN" if os.environ.get("FINDINGS_TOKEN") else "read-only, no FINDINGS_TOKEN"
    typer.echo(f"workbench on http://{host}:{port}/ ({mode}); Ctrl-C stops it")
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


@app.command()
def report(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Write the Excel workbook here.")],
    db: DbOption = DEFAULT_DB,
    province: Annotated[str | None, typer.Option(help="Only units in this province.")] = None,
    since: Annotated[str | None, typer.Option(help="Documents dated on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Documents dated on or before (YYYY-MM-DD).")] = None,
) -> None:
    """The overview's figures as an Excel workbook with native charts, one sheet per table: limitations by
    category per year, the limitations that recur, the units with most limitations."""
    from pipeline.query.findings import FindingFilter
    from pipeline.query.overview import overview
    from pipeline.query.report import write_report_xlsx

    engine = _open_database(db)
    try:
        data = overview(engine, FindingFilter(province=province, since=since, until=until))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    try:
        write_report_xlsx(data, xlsx)
    except OSError as exc:
        _fail(f"cannot write {xlsx}: {exc.strerror or exc}")
    typer.echo(f"wrote {xlsx}: {len(data.categories)} categories over {len(data.years)} years, "
               f"{len(data.recurring)} recurring limitations, {len(data.top_units)} units")


@app.command()
def show(
    document: Annotated[str, typer.Argument(help="Document sha256 (or a prefix) or path.")],
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the stored JSON object.")] = False,
) -> None:
    """Print a stored document's normalised text (or its JSON) from the database."""
    from pipeline.store.database import load_document

    result = load_document(_open_database(db), document)
    if result is None:
        typer.echo(f"no stored document matches {document!r}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(result.to_dict(with_text=True), ensure_ascii=False, indent=1))
    else:
        typer.echo(result.document.text or "")


@app.command()
def evaluate(
    gold: Annotated[Path | None, typer.Option(help="Folder of gold JSON annotations.", exists=True)] = None,
    docs: Annotated[Path | None, typer.Option(help="Folder of the annotated documents.", exists=True)] = None,
    per_document: Annotated[bool, typer.Option("--per-document", help="Also score each document.")] = False,
    reliability: Annotated[bool, typer.Option(
        "--reliability", help="Also print how often findings are right per confidence decile.")] = False,
    record: Annotated[bool, typer.Option(
        "--record", help="Write the figures to models/evaluation-figures.json (the accuracy gate's floor).")] = False,
) -> None:
    """Score extraction against gold annotations (P/R/F1 per field); without --gold, every known set."""
    from pipeline.evaluate import EvaluationSet, evaluation_sets, figures, load_gold, render_evaluation
    from pipeline.evaluate import evaluate as run_evaluation
    from pipeline.process import extract_path

    if (gold is None) != (docs is None):
        raise typer.BadParameter("give both --gold and --docs, or neither")
    if record and gold is not None:
        raise typer.BadParameter("--record scores every known set: give no --gold/--docs")
    if gold is not None and docs is not None:
        sets = [EvaluationSet(str(gold), gold, docs)]
    else:
        from pipeline.classify.model import load_classifier
        from pipeline.evaluate import render_model_scores

        typer.echo(render_model_scores(load_classifier().metadata))
        sets = [s for s in evaluation_sets() if s.present]
    recorded: dict[str, dict[str, float]] = {}
    for evaluation_set in sets:
        annotations = load_gold(evaluation_set.gold)
        results = {name: extract_path(evaluation_set.docs / name) for name in annotations
                   if (evaluation_set.docs / name).exists()}
        evaluation = run_evaluation(results, annotations)
        recorded[evaluation_set.name] = figures(evaluation)
        typer.echo("")
        typer.echo(render_evaluation(
            evaluation, title=f"findings evaluate: {evaluation_set.gold} vs {evaluation_set.docs}"))
        if per_document:
            for name, scores in evaluation.per_document.items():
                cells = "  ".join(f"{k}={s.f1:.2f}" for k, s in scores.items())
                typer.echo(f"{name}: {cells}")
        if reliability:
            from pipeline.evaluate import reliability as reliability_table
            from pipeline.evaluate import render_reliability

            typer.echo(render_reliability(reliability_table(results, annotations)))
    if record:
        from pipeline.evaluate import RECORDED_FIGURES, record_figures

        record_figures(recorded)
        typer.echo(f"recorded the figures in {RECORDED_FIGURES}")


@app.command()
def train(
    output: Annotated[Path | None, typer.Option(
        help="Model file to write, its card beside it (default models/findings-classifier.joblib); "
             "a folder: both go in it.")] = None,
    with_corrections: Annotated[bool, typer.Option(
        "--with-corrections", help="Also learn from analysts' corrections in --db.")] = False,
    dev: Annotated[bool, typer.Option(
        "--dev/--no-dev", help="Choose estimators and the finding threshold on the development sets "
        "(../shared/realdev and seeds) rather than by cross-validation.")] = True,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Rebuild the classifiers from corpus/statements (deterministic) and write the model card."""
    from pipeline.classify.model import MODEL_PATH, model_path
    from pipeline.classify.train import records_from_corrections
    from pipeline.classify.train import train as run_training

    if output is not None and output.is_dir():
        output = output / MODEL_PATH.name
    if output is not None and not output.parent.is_dir():
        raise typer.BadParameter(f"no folder {output.parent} to write the model in", param_hint="--output")

    extra = []
    if with_corrections:
        from pipeline.store.database import corrected_findings

        extra = records_from_corrections(corrected_findings(_open_database(db)))
        typer.echo(f"learning from {len(extra)} corrected findings in {db}")
    dev_sets = None
    if dev:
        from pipeline.evaluate import development_sets

        dev_sets = [(s.gold, s.docs) for s in development_sets()] or None
        if dev_sets is None:
            typer.echo("no development set beside the project: choosing by cross-validation")
    card = run_training(output=output or model_path(), extra=extra, dev_sets=dev_sets)
    for task in card["tasks"]:
        scores = ", ".join(f"{k} {v:.3f}" for k, v in task["cv_macro_f1"].items())
        typer.echo(f"{task['task']:<9} cross-validated macro-F1: {scores} -> {task['chosen']}")
    decision = card["decision"]
    thresholds = ", ".join(f"{k} {v:g}" for k, v in decision["thresholds"].items())
    typer.echo(f"chosen by {decision['selected_by']}; {thresholds}"
               + (f"; development findings F1 {decision['best']['objective']:.3f}" if "best" in decision else ""))
    typer.echo(f"trained on {card['records']} statements in {card['training_seconds']} s; "
               f"wrote {output or model_path()} and MODEL_CARD.md")


@corpus_app.command("validate")
def corpus_validate(
    statements: Annotated[Path, typer.Option(help="Folder of statement JSONL files.")] = Path("corpus/statements"),
    test: Annotated[list[Path] | None, typer.Option(help="Folders of test documents to check for leaks.")] = None,
    threshold: Annotated[float, typer.Option(help="Cosine similarity that counts as a near-duplicate.")] = 0.9,
) -> None:
    """Check every corpus record against the taxonomy; flag near-duplicates and train/test leaks."""
    from pipeline.corpus import render_report, validate_corpus
    from pipeline.evaluate import evaluation_sets

    # Every measuring set: a training statement must not repeat their sentences.
    folders = test if test is not None else [s.docs for s in evaluation_sets() if s.present
                                             and s.name != "corpus/samples"]
    report = validate_corpus(statements, folders, threshold=threshold)
    typer.echo(render_report(report))
    if not report.ok:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()

"""The `findings` command."""

from __future__ import annotations

import json
import logging
import os
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
    """Prefect reads these when imported: keep its own logs out of the user's terminal."""
    if verbose:
        return
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


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
    folder: Annotated[list[Path], typer.Argument(help="Folders or files to ingest.", exists=True)],
    db: DbOption = DEFAULT_DB,
    workers: Annotated[int, typer.Option(help="Worker processes for extraction.")] = 1,
    chunk_size: Annotated[int, typer.Option(help="Documents per Prefect task.")] = 25,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
) -> None:
    """Ingest a folder through the Prefect flow into the findings database, then summarise."""
    _prepare_prefect(verbose)
    from flows.ingest import run_ingest
    from pipeline.query.export import render_summary

    report = run_ingest(folder, db_url=db, workers=workers, chunk_size=chunk_size, verbose=verbose)
    typer.echo(report.describe())
    from pipeline.query.findings import summarise
    from pipeline.store.database import open_database

    typer.echo(render_summary(summarise(open_database(db))))


@app.command()
def query(
    db: DbOption = DEFAULT_DB,
    unit: Annotated[str | None, typer.Option(help="Unit name contains (e.g. 'Tam Quang').")] = None,
    category: Annotated[str | None, typer.Option(help="Category code from the taxonomy.")] = None,
    polarity: Annotated[str | None, typer.Option(help="strength | limitation | recommendation.")] = None,
    since: Annotated[str | None, typer.Option(help="Documents dated on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Documents dated on or before (YYYY-MM-DD).")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table | csv | json | xlsx.")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many findings.")] = None,
) -> None:
    """List findings by unit, category, polarity and date range."""
    from pipeline.query import export
    from pipeline.query.findings import FindingFilter, query_findings
    from pipeline.store.database import open_database
    from pipeline.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    if category and category not in taxonomy.categories:
        raise typer.BadParameter(f"unknown category; one of: {', '.join(taxonomy.category_codes)}",
                                 param_hint="--category")
    if polarity and polarity not in taxonomy.polarities:
        raise typer.BadParameter(f"one of: {', '.join(taxonomy.polarity_codes)}", param_hint="--polarity")
    rows = query_findings(
        open_database(db),
        FindingFilter(unit=unit, category=category, polarity=polarity, since=since, until=until, limit=limit),
    )
    _write_rows(rows, output_format, output, export)


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
def show(
    document: Annotated[str, typer.Argument(help="Document sha256 (or a prefix) or path.")],
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the stored JSON object.")] = False,
) -> None:
    """Print a stored document's normalised text (or its JSON) from the database."""
    from pipeline.store.database import load_document, open_database

    result = load_document(open_database(db), document)
    if result is None:
        typer.echo(f"no stored document matches {document!r}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(result.to_dict(with_text=True), ensure_ascii=False, indent=1))
    else:
        typer.echo(result.document.text or "")


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Option(help="Folder of gold JSON annotations.", exists=True)],
    docs: Annotated[Path, typer.Option(help="Folder of the annotated documents.", exists=True)],
    per_document: Annotated[bool, typer.Option("--per-document", help="Also score each document.")] = False,
) -> None:
    """Score extraction against gold annotations (P/R/F1 per field)."""
    from pipeline.evaluate import evaluate as run_evaluation
    from pipeline.evaluate import load_gold, render_evaluation
    from pipeline.process import extract_path

    annotations = load_gold(gold)
    results = {name: extract_path(docs / name) for name in annotations if (docs / name).exists()}
    evaluation = run_evaluation(results, annotations)
    typer.echo(render_evaluation(evaluation, title=f"findings evaluate: {gold} vs {docs}"))
    if per_document:
        for name, scores in evaluation.per_document.items():
            cells = "  ".join(f"{k}={s.f1:.2f}" for k, s in scores.items())
            typer.echo(f"{name}: {cells}")


@app.command()
def train(
    output: Annotated[Path | None, typer.Option(help="Where to write the model (default models/).")] = None,
) -> None:
    """Rebuild the classifiers from corpus/statements (deterministic) and write the model card."""
    from pipeline.classify.model import MODEL_PATH
    from pipeline.classify.train import train as run_training

    card = run_training(output=output or MODEL_PATH)
    for task in card["tasks"]:
        scores = ", ".join(f"{k} {v:.3f}" for k, v in task["cv_macro_f1"].items())
        typer.echo(f"{task['task']:<9} cross-validated macro-F1: {scores} -> {task['chosen']}")
    typer.echo(f"trained on {card['records']} statements in {card['training_seconds']} s; "
               f"wrote {output or MODEL_PATH} and MODEL_CARD.md")


@corpus_app.command("validate")
def corpus_validate(
    statements: Annotated[Path, typer.Option(help="Folder of statement JSONL files.")] = Path("corpus/statements"),
    test: Annotated[list[Path] | None, typer.Option(help="Folders of test documents to check for leaks.")] = None,
    threshold: Annotated[float, typer.Option(help="Cosine similarity that counts as a near-duplicate.")] = 0.9,
) -> None:
    """Check every corpus record against the taxonomy; flag near-duplicates and train/test leaks."""
    from pipeline.corpus import render_report, validate_corpus

    folders = test if test is not None else [p for p in (Path("corpus/eval/docs"),) if p.is_dir()]
    report = validate_corpus(statements, folders, threshold=threshold)
    typer.echo(render_report(report))
    if not report.ok:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()

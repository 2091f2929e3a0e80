"""`autotrade catalog …`: import, export, generate. Thin: each command calls its module."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# Importing the importer registers the catalog.import job, so `autotrade worker` can run it.
from autotrade.catalog import importer as _importer

app = typer.Typer(help="Parts catalogue (master data)", no_args_is_help=True)


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or XLSX file")
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            help="categories | brands | vehicles | parts | numbers | fitment (default: from the header)"
        ),
    ] = None,
) -> None:
    """Import a catalogue file now, in this process, with a progress bar; exit 1 if any row failed."""
    raise typer.Exit(_run_import(file, kind))


@app.command("export")
def export(
    kind: Annotated[str, typer.Argument(help="categories | brands | vehicles | parts | numbers | fitment")],
    out: Annotated[Path, typer.Argument(dir_okay=False, help="Output file: .csv or .xlsx")],
) -> None:
    """Export a kind of catalogue data in the import format (an export imports back unchanged)."""
    raise typer.Exit(_run_export(kind, out))


def _run_import(file: Path, kind: str | None) -> int:
    """Submit a ``catalog.import`` job run and execute it here, drawing its progress; print the summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from autotrade.catalog.formats import KINDS
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system
    from autotrade.jobs import service as jobs
    from autotrade.jobs.repository import JobRepository

    if kind is not None and kind not in KINDS:
        typer.secho(f"unknown kind {kind!r}; one of {', '.join(KINDS)}", fg=typer.colors.RED, err=True)
        return 2
    db = _database()
    payload = {"path": str(file.resolve()), "kind": kind, "filename": file.name}
    with db.transaction() as session:
        bind_system(session, "cli")
        run_id = jobs.submit(session, "catalog.import", payload).id  # no runner here: executed below
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows  {task.fields[rate]:>8} rows/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task(file.name, total=None, rate="-")

        def on_progress(done: int, total: int | None) -> None:
            elapsed = bar.tasks[task].elapsed or 0.0
            rate = f"{done / elapsed:,.0f}" if elapsed else "-"
            bar.update(task, completed=done, total=max(total or done, done), rate=rate)

        token = _importer.progress_listener.set(on_progress)
        try:
            status = jobs.execute(db, run_id)
        finally:
            _importer.progress_listener.reset(token)
    with db.transaction() as session:
        bind_system(session, "cli")
        run = JobRepository(session).get_or_404(run_id)
        result, error = run.result or {}, run.error
    if status != "done":
        typer.secho(f"import failed (job {run_id}):\n{error}", fg=typer.colors.RED, err=True)
        return 1
    typer.echo(
        f"{result['filename']} ({result['kind']}): read {result['read']}, created {result['created']}, "
        f"updated {result['updated']}, unchanged {result['unchanged']}, failed {result['failed']} "
        f"in {result['seconds']:.1f} s = {result['rows_per_second']:,.0f} rows/s  (job {run_id})"
    )
    if result.get("errors_path"):
        typer.secho(f"error report: {result['errors_path']}", fg=typer.colors.YELLOW)
    return 1 if result["failed"] or result.get("errors_path") else 0


def _run_export(kind: str, out: Path) -> int:
    import time

    from autotrade.catalog.exporter import export_file
    from autotrade.catalog.formats import FileFormatError
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system

    db = _database()
    started = time.perf_counter()
    with db.transaction() as session:
        bind_system(session, "cli")
        try:
            n = export_file(session, kind, out)
        except FileFormatError as e:
            typer.secho(str(e), fg=typer.colors.RED, err=True)
            return 2
    typer.echo(f"exported {n} {kind} rows to {out} in {time.perf_counter() - started:.1f} s")
    return 0


# ---- generate (synthetic catalogue for benchmarks; autotrade.catalog.generate) -------------------------


@app.command("generate")
def generate(
    skus: Annotated[int, typer.Option(help="Number of parts (SKUs) to generate")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same catalogue")] = 1,
    variants: Annotated[int | None, typer.Option(help="Vehicle variants (default: skus / 50)")] = None,
) -> None:
    """Generate a large synthetic catalogue (makes → variants, parts, cross-references, fitment)."""
    from autotrade.catalog import generate as gen
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system

    def show(stage: str, rows: int, seconds: float) -> None:
        typer.echo(
            f"  {stage:<10} {rows:>11,} rows  "
            f"{rows / seconds if seconds else 0:>9,.0f} rows/s  {seconds:7.1f} s"
        )

    db = _database()
    with db.transaction() as session:
        bind_system(session, "cli")
        result = gen.generate(session, skus=skus, seed=seed, variants=variants, progress=show)
    typer.echo(
        f"generated {result.parts:,} parts in {result.groups:,} interchange groups, "
        f"{result.numbers:,} numbers, "
        f"{result.fitments:,} fitments, {result.variants:,} variants in {result.seconds:.1f} s "
        f"= {result.rows / result.seconds:,.0f} rows/s  (job {result.run_id})"
    )

"""`autotrade stock …` commands (each command is a boundary: it commits once)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Stock: verify levels against movements, import stock files", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check that every stock level equals the sums of its movements; print each mismatch, exit 1 on any."""
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system
    from autotrade.inventory.repository import StockRepository

    db = _database()
    with db.transaction() as session:
        bind_system(session, "cli:stock-verify")
        rows = StockRepository(session).mismatches()
        total = StockRepository(session).count_levels()
    for level_id, org_id, wh, part, on_hand, moved_on_hand, reserved, moved_reserved in rows:
        typer.echo(
            f"MISMATCH level={level_id} company={org_id} warehouse={wh} part={part} "
            f"on_hand={on_hand} movements={moved_on_hand} reserved={reserved} movements={moved_reserved}"
        )
    if rows:
        typer.secho(
            f"{len(rows)} of {total} stock levels differ from their movements", fg=typer.colors.RED, err=True
        )
        raise typer.Exit(1)
    typer.echo(f"ok: {total} stock levels equal the sums of their movements")


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or XLSX file")
    ],
    company: Annotated[str, typer.Option(help="id of the company whose warehouses the file counts")],
    reason: Annotated[str, typer.Option(help="reason written on the adjustment movements")] = "stock upload",
) -> None:
    """Import absolute stock counts (columns warehouse_code, sku or part_id, on_hand) now, with a
    progress bar; good rows land, bad rows are listed; exit 1 if any row failed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from autotrade.cli import _database
    from autotrade.core.tenancy import SCOPE_KEY, bind_system
    from autotrade.inventory import sync
    from autotrade.orgs.repository import OrgRepository

    try:
        org_id = uuid.UUID(company)
    except ValueError:
        typer.secho(f"--company: not a company id: {company!r}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    db = _database()
    with db.transaction() as session:
        bind_system(session, "cli:stock-import")
        scope = OrgRepository(session).subtree_ids(org_id)
        if not scope:
            typer.secho(f"no company {org_id}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2)
        session.info[SCOPE_KEY] = scope  # the company's warehouses only
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, transient=False) as bar:
            task = bar.add_task(file.name, total=None)

            def on_progress(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=max(total or done, done))

            upload = sync.process_file(
                session, file, org_id=org_id, filename=file.name, reason=reason, progress=on_progress
            )
        summary = (
            f"upload {upload.id}: {upload.rows_total} rows, {upload.rows_changed} changed, "
            f"{upload.rows_unchanged} unchanged, {upload.rows_failed} failed"
        )
        errors = list(upload.errors)
        failed = upload.rows_failed > 0 or upload.status == "failed"
    typer.echo(summary)
    for e in errors:
        typer.echo(f"line {e['line']}, column {e['column'] or '-'}: {e['reason']} ({e['value']})", err=True)
    raise typer.Exit(1 if failed else 0)

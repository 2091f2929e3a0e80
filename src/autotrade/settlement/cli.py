"""`autotrade settlement …` commands (each command is a boundary: it commits once)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Settlement: supplier statements, reconciliation", no_args_is_help=True)


@app.command("run")
def run(
    period: Annotated[str, typer.Option(help="the month, China time, e.g. 2026-11")],
) -> None:
    """Generate the statements of a month for every supplier, with a progress bar (idempotent)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from autotrade.cli import _database
    from autotrade.core.errors import AppError
    from autotrade.core.tenancy import bind_system
    from autotrade.settlement import periods, service

    try:
        p = periods.month(period)
    except AppError as e:
        typer.secho(f"--period: {e.detail}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    db = _database()
    with db.transaction() as session:
        bind_system(session, "cli:settlement-run")
        suppliers = service.suppliers_for(session, p)
        made = []
        with Progress(
            TextColumn("statements {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        ) as bar:
            task = bar.add_task(p.label, total=len(suppliers))
            for supplier in suppliers:
                made.append(service.generate(session, supplier, p))
                bar.advance(task)
        rows = [(st.number, str(st.org_id), st.payout_due_fen, created, st.final) for st, created in made]
    for number, org, due, created, final in rows:
        state = "new" if created else "kept"
        typer.echo(f"{number} supplier={org} payout_due_fen={due} {state}{'' if final else ' provisional'}")
    typer.echo(f"ok: {len(rows)} statement(s) for {p.label}")


@app.command("reconcile")
def reconcile() -> None:
    """Compare orders, payments and the ledger; print every difference, exit 1 on any."""
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system
    from autotrade.settlement import reconciliation

    db = _database()
    with db.transaction() as session:
        bind_system(session, "cli:settlement-reconcile")
        report = reconciliation.reconcile(session)
    for d in report.differences:
        ids = " ".join(
            [f"order={d.order_id}"] * bool(d.order_id)
            + [f"payment={p}" for p in d.payment_ids]
            + [f"entry={e}" for e in d.entry_ids]
        )
        typer.echo(f"DIFFERENCE {d.kind}: {d.detail} {ids}".rstrip())
    if report.differences:
        typer.secho(f"{len(report.differences)} difference(s)", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(
        f"ok: {report.orders_checked} orders, {report.payments_checked} payments and "
        f"{report.entries_checked} entries agree"
    )

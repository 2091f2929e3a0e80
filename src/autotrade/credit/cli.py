"""`autotrade credit …` commands (each command is a boundary: it commits once)."""

from __future__ import annotations

import typer

from autotrade.credit import tasks

app = typer.Typer(help=__doc__, no_args_is_help=True)


@app.command("mark-overdue")
def mark_overdue_cmd() -> None:
    """Mark open credit invoices past their due date overdue now."""
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system
    from autotrade.credit import service

    db = _database()
    total = 0
    while True:
        with db.transaction() as session:
            bind_system(session, "cli")
            ids = service.mark_overdue(session, limit=tasks.BATCH)
        total += len(ids)
        if len(ids) < tasks.BATCH:
            break
    typer.echo(f"marked {total} credit invoice(s) overdue")


@app.command("verify")
def verify_cmd() -> None:
    """Check that every credit line's used amount equals what its invoices still owe (exit 1 if not)."""
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system
    from autotrade.credit import service

    db = _database()
    with db.session() as session:
        bind_system(session, "cli")
        problems = service.verify(session)
    for p in problems:
        typer.echo(p)
    if problems:
        raise typer.Exit(1)
    typer.echo("credit: every line's used amount matches its invoices")

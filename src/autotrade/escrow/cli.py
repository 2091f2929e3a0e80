"""`autotrade escrow …` commands (each command is a boundary: it commits once)."""

from __future__ import annotations

import typer

from autotrade.escrow import tasks

app = typer.Typer(help=__doc__, no_args_is_help=True)


@app.command("auto-release")
def auto_release_cmd() -> None:
    """Complete and release now the orders delivered N days ago without an open dispute or return."""
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system
    from autotrade.escrow import service

    db = _database()
    total = 0
    while True:
        with db.transaction() as session:
            bind_system(session, "cli")
            ids = service.auto_release(session, limit=tasks.BATCH)
        total += len(ids)
        if len(ids) < tasks.BATCH:
            break
    typer.echo(f"released {total} order(s)")

"""`autotrade orders …` commands (each command is a boundary: it commits once)."""

from __future__ import annotations

import typer

from autotrade.orders import tasks

app = typer.Typer(help=__doc__, no_args_is_help=True)


@app.command("auto-cancel")
def auto_cancel_cmd() -> None:
    """Cancel unpaid orders past their payment deadline now, releasing their stock."""
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system
    from autotrade.orders import service

    db = _database()
    total = 0
    while True:
        with db.transaction() as session:
            bind_system(session, "cli")
            ids = service.auto_cancel(session, limit=tasks.BATCH)
        total += len(ids)
        if len(ids) < tasks.BATCH:
            break
    typer.echo(f"cancelled {total} unpaid order(s)")

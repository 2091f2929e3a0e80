"""`autotrade ledger …` commands (each command is a boundary: it commits once)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Ledger: check the books", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check that every journal entry balances and every cached balance equals Σ its postings; print
    each problem and exit 1 on any."""
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system
    from autotrade.ledger import service

    db = _database()
    with db.transaction() as session:
        bind_system(session, "cli:ledger-verify")
        problems = service.verify(session)
        entries, accounts = service.counts(session)
    for problem in problems:
        typer.echo(f"PROBLEM {problem}")
    if problems:
        typer.secho(f"{len(problems)} problem(s) in the ledger", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {entries} journal entries balance, {accounts} account balances equal their postings")

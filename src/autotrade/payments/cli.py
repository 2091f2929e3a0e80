"""`autotrade payments …` commands (each command is a boundary: it commits once)."""

from __future__ import annotations

import uuid

import typer

app = typer.Typer(
    help="Payments: bank-transfer confirmations, the gateway callback log", no_args_is_help=True
)


@app.command("confirm-transfer")
def confirm_transfer(
    order_id: str = typer.Argument(..., help="the order the transfer pays"),
    bank_reference: str = typer.Option(..., "--bank-reference", help="the bank's reference of the transfer"),
    amount_fen: int = typer.Option(
        ..., "--amount-fen", help="the amount received, in fen (= the order's gross)"
    ),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Platform finance: a transfer arrived at the collection account for an order (as
    ``POST /api/v1/platform/payments/bank-transfers/confirm``)."""
    from autotrade.cli import _database
    from autotrade.core.errors import AppError
    from autotrade.core.settings import get_settings
    from autotrade.core.tenancy import bind_system
    from autotrade.payments import service

    db = _database()
    try:
        with db.transaction() as session:
            bind_system(session, "cli:payments")
            payment, outcome = service.confirm_bank_transfer(
                session,
                order_id=uuid.UUID(order_id),
                bank_reference=bank_reference,
                amount_fen=amount_fen,
                currency="CNY",
                note=note,
                settings=get_settings(),
            )
    except AppError as e:
        typer.secho(f"{e.code}: {e.detail}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{outcome}: payment {payment.id} {payment.status.value} ({payment.amount_fen} fen)")


@app.command("callbacks")
def callbacks(
    outcome: str | None = typer.Option(None, "--outcome", help="e.g. amount_mismatch, bad_signature"),
    limit: int = typer.Option(50, "--limit"),
) -> None:
    """The gateway callbacks received, newest first."""
    from autotrade.cli import _database
    from autotrade.core.tenancy import bind_system
    from autotrade.payments import service

    db = _database()
    with db.transaction() as session:
        bind_system(session, "cli:payments")
        rows = service.callback_log(session, outcome=outcome, limit=limit)
        for c in rows:
            typer.echo(
                f"{c.received_at.isoformat()} {c.event_id or '-'} signature_ok={c.signature_ok} "
                f"{c.outcome} payment={c.payment_id or '-'} {c.detail or ''}".rstrip()
            )

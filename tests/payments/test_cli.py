"""`autotrade payments confirm-transfer` and `autotrade payments callbacks` (real subprocesses)."""

from __future__ import annotations

from tests.ops.procs import app_env, run_cli
from tests.payments.conftest import books, event, order_status, send, start

GROSS = 18_080


def test_confirm_transfer_and_the_callback_log(market, settings, tmp_path):
    env = app_env(settings)
    o = market.order("a_owner", [("bosch_pad", 2)])
    r = run_cli(
        [
            "payments",
            "confirm-transfer",
            o["id"],
            "--bank-reference",
            "CLI-1",
            "--amount-fen",
            str(GROSS - 1),
        ],
        env,
        tmp_path,
    )
    assert r.returncode == 1 and "amount_mismatch" in r.stderr
    r = run_cli(
        ["payments", "confirm-transfer", o["id"], "--bank-reference", "CLI-1", "--amount-fen", str(GROSS)],
        env,
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("paid: payment ") and f"succeeded ({GROSS} fen)" in r.stdout
    assert order_status(market, o["id"]) == "paid"
    assert books(market.db, o["id"]).problems == []

    other = market.order("a_owner", [("bosch_pad", 2)])
    p = start(market, other["id"], "gateway")["payment"]
    assert send(market.client, event(p, amount_fen=1)).json()["outcome"] == "amount_mismatch"
    r = run_cli(["payments", "callbacks", "--outcome", "amount_mismatch"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1 and "amount_mismatch" in lines[0] and p["id"] in lines[0]

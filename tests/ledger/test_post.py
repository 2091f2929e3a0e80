"""ledger.service.post: balanced entries only, nothing written otherwise, dedupe, balances."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from autotrade.ledger import service as ledger
from autotrade.ledger.errors import DuplicateEntry, InvalidEntry, NoPlatformCompany, Unbalanced
from autotrade.ledger.models import JournalEntry
from autotrade.ledger.service import Leg, Purpose

# Synthetic entries (no orders or payments behind them): the suite's reconciliation check does not apply.
pytestmark = pytest.mark.books_unreconciled

LEDGER_TABLES = ("journal_entries", "ledger_postings", "ledger_accounts")


def _counts(books):
    with books.db.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in LEDGER_TABLES}


def _pay(b, order_id, gross, **kw):
    return [
        Leg(b.platform, Purpose.gateway_clearing, gross),
        Leg(b.platform, Purpose.escrow, -gross, order_id=order_id),
    ]


def test_a_balanced_entry_is_written_with_its_postings_and_balances(books):
    order = uuid.uuid4()
    with books.tx("payments-test") as s:
        entry = ledger.post(
            s,
            kind="payment",
            legs=_pay(books, order, 12_345),
            reference_type="order",
            reference_id=order,
            memo="paid",
            dedupe_key=f"order-paid:{order}",
        )
        entry_id = entry.id
    with books.tx() as s:
        e = s.get(JournalEntry, entry_id)
        assert (
            e.kind,
            e.currency,
            e.reference_type,
            e.reference_id,
            e.memo,
            e.dedupe_key,
            e.actor_label,
        ) == (
            "payment",
            "CNY",
            "order",
            str(order),
            "paid",
            f"order-paid:{order}",
            "payments-test",
        )
        assert ledger.balance(s, books.platform, Purpose.gateway_clearing) == 12_345
        assert ledger.balance(s, books.platform, Purpose.escrow) == -12_345
        assert ledger.balance(s, books.buyer, Purpose.escrow) == 0
        assert ledger.order_balance(s, Purpose.escrow, order) == -12_345
        assert ledger.order_balance(s, Purpose.escrow, uuid.uuid4()) == 0
        assert ledger.platform_org_id(s) == books.platform
        assert ledger.verify(s) == []


def test_legs_on_the_same_account_are_summed_and_accounts_are_reused(books):
    o1, o2 = uuid.uuid4(), uuid.uuid4()
    with books.tx() as s:
        for o, g in ((o1, 1000), (o2, 2500)):
            ledger.post(s, kind="payment", legs=_pay(books, o, g), reference_type="order", reference_id=o)
        # escrow release of o1 with commission 30: Dr escrow +1000, Cr supplier -970, Cr commission -30
        ledger.post(
            s,
            kind="escrow_release",
            legs=[
                Leg(books.platform, Purpose.escrow, 600, order_id=o1),
                Leg(books.platform, Purpose.escrow, 400, order_id=o1),
                Leg(books.supplier, Purpose.supplier_payable, -970, order_id=o1),
                Leg(books.platform, Purpose.commission_revenue, -30, order_id=o1),
            ],
            reference_type="order",
            reference_id=o1,
        )
    with books.tx() as s:
        assert _counts(books) == {"journal_entries": 3, "ledger_postings": 8, "ledger_accounts": 4}
        assert ledger.balance(s, books.platform, Purpose.escrow) == -2500
        assert ledger.order_balance(s, Purpose.escrow, o1) == 0
        assert ledger.order_balance(s, Purpose.escrow, o2) == -2500
        assert ledger.balance(s, books.supplier, Purpose.supplier_payable) == -970
        assert ledger.balance(s, books.platform, Purpose.commission_revenue) == -30
        assert ledger.verify(s) == []


BAD_LEGS = [
    ("unbalanced", lambda p, o: [Leg(p, Purpose.gateway_clearing, 100), Leg(p, Purpose.escrow, -99)], "legs"),
    (
        "zero",
        lambda p, o: [Leg(p, Purpose.gateway_clearing, 0), Leg(p, Purpose.escrow, 0)],
        "legs[0].amount_fen",
    ),
    (
        "float",
        lambda p, o: [Leg(p, Purpose.gateway_clearing, 1.5), Leg(p, Purpose.escrow, -1.5)],  # type: ignore[arg-type]
        "legs[0].amount_fen",
    ),
    (
        "integral float",
        lambda p, o: [Leg(p, Purpose.gateway_clearing, 100.0), Leg(p, Purpose.escrow, -100)],  # type: ignore[arg-type]
        "legs[0].amount_fen",
    ),
    (
        "decimal",
        lambda p, o: [Leg(p, Purpose.gateway_clearing, 100), Leg(p, Purpose.escrow, Decimal(-100))],  # type: ignore[arg-type]
        "legs[1].amount_fen",
    ),
    (
        "bool",
        lambda p, o: [Leg(p, Purpose.gateway_clearing, True), Leg(p, Purpose.escrow, -1)],
        "legs[0].amount_fen",
    ),
    ("one leg", lambda p, o: [Leg(p, Purpose.gateway_clearing, 100)], "legs"),
    ("no legs", lambda p, o: [], "legs"),
    ("string purpose", lambda p, o: [Leg(p, "escrow", 1), Leg(p, Purpose.escrow, -1)], "legs[0].purpose"),  # type: ignore[arg-type]
    (
        "too big",
        lambda p, o: [Leg(p, Purpose.gateway_clearing, 2**63), Leg(p, Purpose.escrow, -(2**63))],
        "legs[0].amount_fen",
    ),
]


@pytest.mark.parametrize(("name", "make", "field"), BAD_LEGS, ids=[b[0] for b in BAD_LEGS])
def test_bad_legs_are_refused_and_nothing_is_written(books, name, make, field):
    o = uuid.uuid4()
    with books.tx() as s:
        ledger.post(s, kind="payment", legs=_pay(books, o, 500), reference_type="order", reference_id=o)
    with books.tx() as s:
        before = _counts(books)
    with books.tx() as s:
        with pytest.raises(Unbalanced) as e:
            ledger.post(
                s, kind="payment", legs=make(books.platform, o), reference_type="order", reference_id=o
            )
        assert (e.value.status, e.value.code, e.value.field) == (422, "unbalanced_entry", field)
    with books.tx() as s:
        assert _counts(books) == before
        assert ledger.balance(s, books.platform, Purpose.gateway_clearing) == 500
        assert ledger.verify(s) == []


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": ""}, "kind"),
        ({"currency": "cny"}, "currency"),
        ({"reference_type": ""}, "reference_type"),
        ({"reference_id": None}, "reference_id"),
        ({"memo": "x" * 501}, "memo"),
        ({"dedupe_key": ""}, "dedupe_key"),
    ],
)
def test_invalid_fields_are_refused(books, kw, field):
    o = uuid.uuid4()
    args = {"kind": "payment", "legs": _pay(books, o, 1), "reference_type": "order", "reference_id": o, **kw}
    with books.tx() as s:
        with pytest.raises(InvalidEntry) as e:
            ledger.post(s, **args)
        assert (e.value.status, e.value.code, e.value.field) == (422, "invalid_entry", field)
    with books.tx() as s:
        assert _counts(books) == {"journal_entries": 0, "ledger_postings": 0, "ledger_accounts": 0}


def test_a_dedupe_key_posts_once_and_the_transaction_stays_usable(books):
    o = uuid.uuid4()
    with books.tx() as s:
        ledger.post(
            s,
            kind="payment",
            legs=_pay(books, o, 700),
            reference_type="order",
            reference_id=o,
            dedupe_key="k1",
        )
    with books.tx() as s:
        with pytest.raises(DuplicateEntry) as e:
            ledger.post(
                s,
                kind="payment",
                legs=_pay(books, o, 700),
                reference_type="order",
                reference_id=o,
                dedupe_key="k1",
            )
        assert (e.value.status, e.value.code, e.value.field) == (409, "duplicate_entry", "dedupe_key")
        # the same transaction goes on (e.g. a late payment turned into a refund elsewhere)
        ledger.post(
            s, kind="payment", legs=_pay(books, o, 1), reference_type="order", reference_id=o, dedupe_key="k2"
        )
        with pytest.raises(DuplicateEntry):  # within one transaction too
            ledger.post(
                s,
                kind="payment",
                legs=_pay(books, o, 1),
                reference_type="order",
                reference_id=o,
                dedupe_key="k2",
            )
    with books.tx() as s:
        assert _counts(books) == {"journal_entries": 2, "ledger_postings": 4, "ledger_accounts": 2}
        assert ledger.order_balance(s, Purpose.escrow, o) == -701
        assert ledger.verify(s) == []


def test_currencies_have_their_own_accounts(books):
    o = uuid.uuid4()
    with books.tx() as s:
        ledger.post(s, kind="payment", legs=_pay(books, o, 10), reference_type="order", reference_id=o)
        ledger.post(
            s, kind="payment", legs=_pay(books, o, 20), reference_type="order", reference_id=o, currency="USD"
        )
    with books.tx() as s:
        assert ledger.balance(s, books.platform, Purpose.escrow) == -10
        assert ledger.balance(s, books.platform, Purpose.escrow, currency="USD") == -20
        assert ledger.order_balance(s, Purpose.escrow, o, currency="USD") == -20
        assert ledger.verify(s) == []


def test_no_platform_company_is_a_clear_error(db):
    from autotrade.core.tenancy import bind_system

    with db.transaction() as s:
        bind_system(s, "test")
        with pytest.raises(NoPlatformCompany) as e:
            ledger.platform_org_id(s)
        assert e.value.code == "no_platform_company"


def test_postings_and_entries_are_immutable_in_the_database(books):
    o = uuid.uuid4()
    with books.tx() as s:
        ledger.post(s, kind="payment", legs=_pay(books, o, 10), reference_type="order", reference_id=o)
    for sql in (
        "UPDATE ledger_postings SET amount_fen = amount_fen * 2",
        "DELETE FROM ledger_postings",
        "UPDATE journal_entries SET memo = 'changed'",
        "DELETE FROM journal_entries",
    ):
        with pytest.raises(Exception, match="immutable"), books.db.engine.begin() as conn:
            conn.execute(text(sql))
    with books.tx() as s:
        assert _counts(books) == {"journal_entries": 1, "ledger_postings": 2, "ledger_accounts": 2}
        assert ledger.verify(s) == []

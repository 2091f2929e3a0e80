"""GET pages of the platform area (test_every_page checks them)."""

GET_PAGES: list[str] = [
    "/platform/audit",
    "/platform/dashboard",
    "/platform/disputes",
    "/platform/disputes/{dispute_id}",
    "/platform/finance",
    "/platform/finance/bank-transfers",
    "/platform/finance/reconciliation",
    "/platform/finance/settlements",
    "/platform/finance/settlements/{statement_id}",
]

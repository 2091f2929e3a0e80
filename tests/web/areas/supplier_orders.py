"""GET pages of the supplier_orders area (test_every_page checks them)."""

GET_PAGES: list[str] = [
    "/supplier/orders",
    "/supplier/orders/{order_id}",
    "/supplier/returns",
    "/supplier/settlement",
    "/supplier/settlement/statements/{statement_id}",
    "/supplier/settlement/statements/{statement_id}.csv",
    "/supplier/settlement/statements/{statement_id}.pdf",
]

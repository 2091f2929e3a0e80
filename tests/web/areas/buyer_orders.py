"""GET pages of the buyer_orders area (test_every_page checks them)."""

GET_PAGES: list[str] = [
    "/buyer/credit",
    "/buyer/invoices",
    "/buyer/orders",
    "/buyer/orders/{order_id}",
    "/buyer/returns",
]

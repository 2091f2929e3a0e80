"""GET pages of the supplier_orders area (test_every_page checks them)."""

GET_PAGES: list[str] = []

"""GET pages of the buyer area (test_every_page checks them)."""

GET_PAGES: list[str] = [
    "/buyer/orders/{order_id}/pay",
    "/buyer/orders/{order_id}/pay/status",
    "/cart",
    "/cart/checkout/{checkout_id}",
    "/cart/lists",
    "/cart/lists/{list_id}",
    "/parts/{part_id}",
    "/search",
]

"""GET pages of the buyer area (test_every_page checks them)."""

GET_PAGES: list[str] = []

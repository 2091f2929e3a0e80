"""GET pages of the catalog area (test_every_page checks them)."""

GET_PAGES: list[str] = []

"""GET pages of the supplier area (test_every_page checks them)."""

GET_PAGES: list[str] = []

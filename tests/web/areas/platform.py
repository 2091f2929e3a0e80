"""GET pages of the platform area (test_every_page checks them)."""

GET_PAGES: list[str] = []

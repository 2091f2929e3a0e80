"""GET pages of the catalog area (tests/web/test_every_page.py checks the router has exactly these)."""

GET_PAGES: list[str] = []

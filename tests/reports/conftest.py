"""The orders' market (tests/orders/conftest.py) serves the report tests too."""

from tests.orders.conftest import catalog, market  # noqa: F401  (fixtures reused)

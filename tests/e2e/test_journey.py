"""The whole trade in a real browser, on the demo data, as the people who do it:

a supplier uploads stock → a repair shop searches by VIN, compares, orders and pays → the supplier
confirms and ships → the buyer accepts → escrow releases to the supplier minus commission → the
supplier's settlement shows it. Then: a foreign company's order URL answers 404, the platform sees the
order on its dashboard and the books reconcile (checked with the CLI as well as in the page).

The demo has orders of its own (autotrade.orders_demo), so the supplier's payable and the dashboard's
figures are read before the trade and must have grown by exactly this order afterwards.

The pages are in English here (stable labels); test_basics.py and the Chinese screenshots cover the
default language.
"""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect

from autotrade.core.db import utcnow
from autotrade.settlement import periods
from tests.e2e.test_basics import demo_email

VIN = "LVGE6AB5XLN123456"  # demo catalogue: GAC Toyota Camry 2.5L, model year 2020
OE = "04465-33471"  # Toyota front brake pads; the distributor sells interchangeable pads
SUPPLIER = "江苏通达汽配供应链有限公司"  # the demo distributor
STOCKED = 130


def _fen(text: str) -> int:
    """'¥1,234.56' → 123456 (what the page shows, read back exactly)."""
    digits = re.sub(r"[^0-9.\-]", "", text)
    return int(Decimal(digits) * 100)


def _today(page) -> tuple[int, int]:
    """(orders today, GMV today in fen) as the platform dashboard shows them."""
    orders = page.locator("[data-testid=orders-today] .platform-kpi-value").inner_text()
    gmv = page.locator("[data-testid=gmv-today] .platform-kpi-value").inner_text()
    return int(orders.replace(",", "")), _fen(gmv)


def test_supplier_stock_to_buyer_order_to_escrow_release_and_settlement(open_browser, server, tmp_path):
    supplier = open_browser("en")
    buyer = open_browser("en")
    supplier.login(demo_email("distributor", "owner"))
    buyer.login(demo_email("repair", "owner"))
    platform = open_browser("en")
    platform.login(demo_email("platform", "admin"))

    # 0. Before the trade: what the platform owes the supplier, and today's figures (the demo's orders).
    sp = supplier.page
    supplier.goto("/supplier/settlement")
    payable_before = _fen(sp.locator("[data-testid=payable]").inner_text())
    assert payable_before > 0  # the demo's completed order was released to the distributor
    platform.goto("/platform/dashboard")
    orders_before, gmv_before = _today(platform.page)
    day = periods.china_date(utcnow())  # "today" on the dashboard is the day in China time
    if periods.china_date(server.demo_loaded_at) == day:
        assert orders_before >= 1 and gmv_before > 0  # the demo's orders, placed today

    # 1. The supplier uploads a stock count (one good row, one bad row: the bad row is reported).
    supplier.goto("/supplier/stock/upload")
    example = sp.locator("#stock-example").inner_text().splitlines()
    warehouse, sku = example[1].split(",")[:2]
    csv = tmp_path / "stock.csv"
    csv.write_text(f"warehouse_code,sku,on_hand\n{warehouse},{sku},{STOCKED}\n{warehouse},NO-SUCH-SKU,5\n")
    sp.get_by_label("Stock file (CSV or XLSX)").set_input_files(str(csv))
    sp.get_by_role("button", name="Upload stock file").click()
    expect(sp.locator("#upload-status")).to_have_attribute("data-status", "done", timeout=30_000)
    expect(sp.locator("#upload-summary")).to_contain_text("2 rows read")
    errors = sp.locator("#upload-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("3")  # line 3 of the file (the header is line 1)
    supplier.shot("supplier-stock-upload-en")

    # 2. The repair shop types the VIN into the one search box.
    bp = buyer.page
    buyer.goto("/search")
    bp.get_by_label("VIN, part number or words").fill(VIN)
    bp.get_by_role("button", name="Search").click()
    expect(bp.locator("#vin-result")).to_contain_text("Valid VIN")
    expect(bp.locator("#vin-result")).to_contain_text("Camry")
    expect(bp.locator("#vehicle-parts")).to_be_visible()
    buyer.shot("buyer-search-vin-en")

    # 3. The distributor's Bosch pads (interchangeable with Toyota's 04465-33471) fit; their part page
    #    compares every offer of the interchange group.
    expect(bp.locator("#vehicle-parts tr[data-id]", has_text=OE).first).to_be_visible()
    pads = bp.locator("#vehicle-parts tr[data-id]", has_text="Bosch front brake pad").first
    expect(pads).to_be_visible()
    pads.get_by_role("link").first.click()
    bp.wait_for_url(re.compile(r"/parts/"))
    offers = bp.locator("#offers tbody tr[data-id]")
    expect(offers.first).to_be_visible()
    expect(offers.filter(has_text="Toyota").first).to_be_visible()  # the OE part's offer, compared too
    row = offers.filter(has_text=SUPPLIER).filter(has_text=sku).first  # the SKU just counted
    expect(row).to_be_visible()
    row.get_by_label("Quantity").fill("2")
    row.get_by_role("button", name="Add to cart").click()
    expect(bp.locator("#buyer-cart-count")).to_have_text(re.compile(r"[1-9]"))
    buyer.shot("buyer-part-compare-en")

    # 4. Cart → checkout: one order per supplier.
    buyer.goto("/cart")
    expect(bp.locator("main")).to_contain_text(SUPPLIER)
    buyer.shot("buyer-cart-en")
    bp.get_by_role("button", name="Place orders").click()
    bp.wait_for_url(re.compile(r"/cart/checkout/"))
    expect(bp.locator("main")).to_contain_text(SUPPLIER)
    buyer.shot("buyer-checkout-split-en")
    bp.get_by_role("link", name="Pay this order").first.click()
    bp.wait_for_url(re.compile(r"/buyer/orders/[0-9a-f-]{36}/pay"))
    order_id = re.search(r"/buyer/orders/([0-9a-f-]{36})/pay", bp.url).group(1)  # type: ignore[union-attr]

    # 5. Payment with the gateway simulator (its callback arrives asynchronously).
    bp.get_by_role("button", name="Pay with the gateway simulator").click()
    expect(bp.locator("#pay-status")).to_have_attribute("data-state", "paid", timeout=30_000)
    expect(bp.locator("#pay-status")).to_contain_text("This order is paid.")
    buyer.shot("buyer-paid-en")

    # 6. The supplier confirms and ships (carrier + tracking number), then marks it delivered.
    supplier.goto("/supplier/orders")
    expect(sp.locator(f"#orders tr[data-id='{order_id}']")).to_be_visible()
    supplier.shot("supplier-orders-en")
    supplier.goto(f"/supplier/orders/{order_id}")
    sp.get_by_role("button", name="Confirm order").click()
    sp.wait_for_load_state()
    sp.get_by_label("Carrier").fill("顺丰速运")
    sp.get_by_label("Tracking number").fill("SF1234567890")
    sp.get_by_role("button", name="Record shipment").click()
    expect(sp.locator("main")).to_contain_text("SF1234567890")
    sp.get_by_role("button", name="Mark delivered").click()
    sp.wait_for_load_state()
    supplier.shot("supplier-order-shipped-en")

    # 7. The buyer inspects and accepts everything, then confirms completion: escrow releases.
    buyer.goto(f"/buyer/orders/{order_id}")
    bp.get_by_role("button", name="Accept all").click()
    bp.wait_for_load_state()
    bp.get_by_role("button", name="Confirm completion").click()
    expect(bp.locator("[data-status='completed']").first).to_have_text("Completed")
    timeline = bp.locator("#timeline li")
    expect(timeline.last).to_be_visible()
    assert timeline.count() >= 7  # placed, paid, confirmed, shipped, delivered, received, completed
    buyer.shot("buyer-order-completed-en")

    # 8. The supplier's settlement shows the release: gross − commission = net, commission > 0.
    supplier.goto("/supplier/settlement")
    release = sp.locator(f"#releases-table tr[data-id='{order_id}']")
    expect(release).to_be_visible()
    gross = _fen(release.locator("[data-testid=gross]").inner_text())
    commission = _fen(release.locator("[data-testid=commission]").inner_text())
    net = _fen(release.locator("[data-testid=net]").inner_text())
    assert gross > 0 and 0 < commission < gross and gross - commission == net
    assert _fen(sp.locator("[data-testid=payable]").inner_text()) == payable_before + net
    supplier.shot("supplier-settlement-en")

    # 9. A foreign company's order URL is not found (another repair shop; a supplier not on it).
    stranger = open_browser("en")
    stranger.login(demo_email("fleet", "owner"))
    for path in (f"/buyer/orders/{order_id}", f"/buyer/orders/{order_id}/pay"):
        response = stranger.goto(path)
        assert response is not None and response.status == 404, path
    expect(stranger.page.get_by_role("heading", level=1)).to_have_text("Page not found")
    other_seller = open_browser("en")
    other_seller.login(demo_email("maker", "owner"))
    response = other_seller.goto(f"/supplier/orders/{order_id}")
    assert response is not None and response.status == 404

    # 10. The platform sees it: dashboard (one more order today, its gross added to GMV), a reconciled
    #     book, the audit trail of the order.
    platform.goto("/platform/dashboard")
    figures = _today(platform.page)
    if periods.china_date(utcnow()) == day:  # (not when midnight China time passed during the test)
        assert figures == (orders_before + 1, gmv_before + gross)
    expect(platform.page.locator("#platform-province-chart svg rect").first).to_be_attached()  # ECharts drew
    platform.shot("platform-dashboard-en")
    platform.goto("/platform/finance/reconciliation")
    expect(platform.page.locator("main")).to_contain_text("All reconciled.")
    platform.goto(f"/platform/audit?entity_id={order_id}")
    expect(platform.page.locator("#audit-entries tbody tr").first).to_be_visible()
    platform.shot("platform-audit-en")
    server.cli("ledger", "verify")
    server.cli("settlement", "reconcile")


def test_chinese_pages_of_the_workbench(open_browser):
    """The same workbench in Chinese (the default): a screenshot per main page, each checked."""
    buyer = open_browser()
    buyer.login(demo_email("repair", "purchaser"))
    buyer.goto(f"/search?q={VIN}")
    expect(buyer.page.locator("#vin-result")).to_be_visible()
    buyer.shot("buyer-search-vin-zh")
    buyer.goto(f"/search?q={OE.replace('-', ' ')}")  # the number in another formatting
    buyer.page.locator("main a[href^='/parts/']").first.click()
    buyer.page.wait_for_url(re.compile(r"/parts/"))
    expect(buyer.page.locator("#offers")).to_be_visible()
    buyer.shot("buyer-part-compare-zh")
    buyer.goto("/search?q=刹车片")
    buyer.shot("buyer-search-words-zh")

    supplier = open_browser()
    supplier.login(demo_email("distributor", "owner"))
    for path, name in (
        ("/supplier/offers", "supplier-offers-zh"),
        ("/supplier/stock", "supplier-stock-zh"),
        ("/supplier/alliance", "supplier-alliance-zh"),
    ):
        supplier.goto(path)
        supplier.shot(name)

    platform = open_browser()
    platform.login(demo_email("platform", "admin"))
    for path, name in (
        ("/platform/dashboard", "platform-dashboard-zh"),
        ("/platform/catalog/vehicles", "platform-vehicles-zh"),
        ("/platform/catalog/imports", "platform-imports-zh"),
        ("/platform/commission", "platform-commission-zh"),
        ("/platform/disputes", "platform-disputes-zh"),
        ("/platform/finance", "platform-finance-zh"),
        ("/platform/review", "platform-review-zh"),
    ):
        platform.goto(path)
        platform.shot(name)


def test_a_phone_sized_screen_works_for_everyone(open_browser):
    """On a 390 px wide screen no page is wider than the screen (tables scroll inside their box)."""
    phone_pages = {
        ("repair", "purchaser"): ((f"/search?q={VIN}", "buyer-search-vin"), ("/cart", "buyer-cart")),
        ("distributor", "owner"): (("/supplier/stock", "supplier-stock"), ("/supplier/orders", None)),
        ("platform", "admin"): (("/platform/dashboard", "platform-dashboard"), ("/platform/audit", None)),
    }
    for (company, user), pages in phone_pages.items():
        window = open_browser(phone=True)
        window.login(demo_email(company, user))
        for path, name in pages:
            window.goto(path)
            overflow = window.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than the phone"
            if name:
                window.shot(f"{name}-phone")

"""GET pages of the catalog area (test_every_page checks them)."""

GET_PAGES: list[str] = [
    "/platform/catalog",
    "/platform/catalog/imports",
    "/platform/catalog/imports/{job_id}",
    "/platform/catalog/imports/{job_id}/status",
    "/platform/catalog/parts",
    "/platform/catalog/parts/{part_id}",
    "/platform/catalog/vehicles",
    "/platform/catalog/vehicles/generations/{generation_id}",
    "/platform/catalog/vehicles/makes/{make_id}",
    "/platform/catalog/vehicles/variants/{variant_id}",
    "/platform/commission",
]

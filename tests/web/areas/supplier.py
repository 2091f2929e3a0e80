"""GET pages of the supplier area (test_every_page checks them)."""

GET_PAGES: list[str] = [
    "/supplier/alliance",
    "/supplier/offers",
    "/supplier/offers/new",
    "/supplier/offers/upload/template.csv",
    "/supplier/offers/upload/{job_id}",
    "/supplier/offers/upload/{job_id}/errors.csv",
    "/supplier/offers/upload/{job_id}/status",
    "/supplier/offers/{offer_id}",
    "/supplier/policies",
    "/supplier/policies/new",
    "/supplier/policies/{policy_id}",
    "/supplier/stock",
    "/supplier/stock/upload",
    "/supplier/stock/upload/template.csv",
    "/supplier/stock/upload/{job_id}",
    "/supplier/stock/upload/{job_id}/errors.csv",
    "/supplier/stock/upload/{job_id}/status",
]

"""reports: read-only figures for the platform operator (the home dashboard and the finance overview).

Set-based aggregate queries across every company (``all_tenants``), behind ``platform.*`` permissions
only. No tables of its own: it reads orders, order lines, parts, disputes, payments and ledger accounts.
See ``docs/web/platform.md``.
"""

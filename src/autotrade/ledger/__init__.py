"""Double-entry ledger: accounts, journal entries, immutable postings, balances, verify."""

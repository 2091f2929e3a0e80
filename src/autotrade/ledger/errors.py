"""ledger: typed errors (stable codes)."""

from __future__ import annotations

from autotrade.core.errors import AppError, Conflict, NotFound, ValidationFailed


class Unbalanced(ValidationFailed):
    """The legs of an entry do not sum to zero, or an amount is not a non-zero int (a programming
    error of the caller). Nothing is written."""

    code = "unbalanced_entry"
    title = "The journal entry does not balance"


class InvalidEntry(ValidationFailed):
    """Another field of the entry is not valid (kind, currency, references, memo)."""

    code = "invalid_entry"
    title = "The journal entry is not valid"


class DuplicateEntry(Conflict):
    """An entry with this dedupe key was already posted (the unique index decides between concurrent
    posters); nothing new is written."""

    code = "duplicate_entry"
    title = "This journal entry was already posted"


class NoPlatformCompany(AppError):
    """The platform company (the single ``orgs`` row of type ``platform``) does not exist: run
    ``autotrade db upgrade`` / create it before any money moves."""

    status = 500
    code = "no_platform_company"
    title = "The platform company is not set up"


class AccountNotFound(NotFound):
    code = "ledger_account_not_found"
    title = "Ledger account not found"


class EntryNotFound(NotFound):
    code = "journal_entry_not_found"
    title = "Journal entry not found"

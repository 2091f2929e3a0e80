"""Form handling shared by the pages: form data → schema input, and errors → per-field messages in
the user's language."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.errors import AppError
from autotrade.web.i18n import N_, Translator

# pydantic / validator error type → message (msgid); the field shows next to it.
_TYPE_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This is too short."),
    "string_too_long": N_("This is too long."),
    "too_short": N_("Choose at least one."),
    "invalid_uscc": N_("Not a valid unified social credit code (18 characters)."),
    "invalid_phone": N_("Not a valid mainland China mobile or landline number."),
    "invalid_id_number": N_("Not a valid resident identity card number."),
    "invalid_bank_account": N_("A bank account number has 8 to 30 digits."),
    "weak_password": N_("Use at least 10 characters, mixing letters with digits or symbols."),
    "value_error": N_("Not a valid email address."),
    "enum": N_("Choose one of the listed values."),
    "uuid_parsing": N_("Choose one of the listed values."),
    "unknown_permission": N_("Choose one of the listed values."),
}

# Service error code → message (msgid) for known, user-fixable errors.
_CODE_MESSAGES: dict[str, str] = {
    "company_already_registered": N_("A company with this unified social credit code is already registered."),
    "email_taken": N_("A user with this email already exists."),
    "invalid_org_type": N_("Choose one of the listed values."),
    "role_not_assignable": N_("You cannot grant permissions you do not hold."),
    "role_not_found": N_("Choose one of the listed values."),
    "branch_not_found": N_("Choose one of the listed values."),
    "role_name_taken": N_("A role with this name already exists."),
    "cannot_disable_self": N_("You cannot disable your own account."),
    "cannot_demote_self": N_("You cannot remove your own user administration."),
    "role_builtin_readonly": N_("Built-in roles cannot be changed."),
    "role_in_use": N_("This role is still assigned to users."),
    "required": N_("This field is required."),
}


def clean(form: dict[str, Any]) -> dict[str, Any]:
    """Drop empty text fields, so a blank required field reads "required" and a blank optional
    field is None."""
    return {
        k: v.strip() if isinstance(v, str) else v
        for k, v in form.items()
        if not (isinstance(v, str) and not v.strip())
    }


def field_errors(t: Translator, exc: ValidationError, rename: dict[str, str] | None = None) -> dict[str, str]:
    """One message per form field (the first error of each), keyed by the form's field name."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        for prefix, name in (rename or {}).items():
            if loc == prefix or loc.startswith(prefix + "."):
                loc = name + loc[len(prefix) :]
                break
        out.setdefault(
            loc or "__all__",
            t.gettext(_TYPE_MESSAGES.get(str(err.get("type")), N_("This value is not valid."))),
        )
    return out


def app_error_message(t: Translator, exc: AppError) -> str:
    msgid = _CODE_MESSAGES.get(exc.code)
    return t.gettext(msgid) if msgid else exc.detail


def undo(db: Session, exc: AppError) -> None:
    """A page that shows a service error in its form returns normally, so the route would commit:
    keep the API's semantics by rolling back unless the error itself is the write (failed login)."""
    if not exc.commit:
        db.rollback()


async def form_data(request: Request) -> FormData:
    """Dependency: the parsed form, so that page handlers can stay synchronous (run in the thread
    pool, like the API's) while reading any number of fields."""
    return await request.form()

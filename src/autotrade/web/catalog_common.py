"""What the catalogue pages share: access, flash messages, error messages of the catalogue, vehicle
and commission services, and form helpers (numbers, dates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from autotrade.core.deps import require
from autotrade.core.errors import AppError
from autotrade.web import forms
from autotrade.web.i18n import N_, Translator
from autotrade.web.render import register_flashes

VIEW = require("platform.catalog:view")
EDIT = require("platform.catalog:edit")
FINANCE_VIEW = require("platform.finance:view")
FINANCE_EDIT = require("platform.finance:edit")

register_flashes(
    {
        "catalog_make_created": ("success", N_("Make added.")),
        "catalog_model_created": ("success", N_("Model added.")),
        "catalog_generation_created": ("success", N_("Generation added.")),
        "catalog_variant_created": ("success", N_("Variant added.")),
        "catalog_variant_saved": ("success", N_("Variant saved.")),
        "catalog_pattern_added": ("success", N_("VIN pattern added.")),
        "catalog_part_created": ("success", N_("Part added.")),
        "catalog_part_saved": ("success", N_("Part saved.")),
        "catalog_number_added": ("success", N_("Number added.")),
        "catalog_number_removed": ("success", N_("Number removed.")),
        "catalog_fitment_added": ("success", N_("Vehicle link added.")),
        "catalog_fitment_removed": ("success", N_("Vehicle link removed.")),
        "catalog_import_queued": ("info", N_("File uploaded. The import runs in the background.")),
        "catalog_rate_created": ("success", N_("Commission rate added.")),
    }
)

# Service error code → message (msgid) shown next to the field (or above the form).
CODE_MESSAGES: dict[str, str] = {
    "category_not_found": N_("Choose one of the listed categories."),
    "brand_not_found": N_("No brand with this code. Add the brand first (import brands)."),
    "part_exists": N_("A part of this brand with this number already exists."),
    "invalid_number": N_("A part number needs at least one letter or digit."),
    "variant_not_found": N_("No vehicle variant with this code."),
    "invalid_year_range": N_("The last year is before the first year."),
    "fitment_exists": N_("This part is already linked to this variant."),
    "brand_number_kept": N_("The part's own brand number identifies it and cannot be removed."),
    "make_name_taken": N_("A make with this name already exists."),
    "model_name_taken": N_("This make already has a model with this name."),
    "generation_name_taken": N_("This model already has a generation with this name."),
    "variant_name_taken": N_("This generation already has a variant with this name."),
    "variant_code_taken": N_("Another variant already has this code."),
    "vin_pattern_taken": N_("This variant already has this VIN pattern."),
    "invalid_vin_pattern": N_(
        "Not a valid VIN pattern: 3 to 17 VIN characters, the first three concrete; * or ? match any "
        "character."
    ),
    "commission_rate_overlap": N_("Another rate of this trade type and category covers part of this period."),
    "commission_rate_in_force": N_("This rate is already in force."),
    "invalid_commission_rate": N_("The end must be after the start."),
    "commission_rate_not_future": N_("A new rate must start in the future."),
    "invalid_kind": N_("Choose one of the listed values."),
    "invalid_file_type": N_("Upload a .csv or .xlsx file."),
    "required": N_("This field is required."),
}

# pydantic error type → message, where the shared form messages say too little for these forms.
TYPE_MESSAGES: dict[str, str] = {
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "greater_than_equal": N_("This number is too small."),
    "less_than_equal": N_("This number is too large."),
    "string_pattern_mismatch": N_("Use letters, digits and . _ / - only."),
    "json_invalid": N_("Not valid JSON."),
    "dict_type": N_('Enter a JSON object, e.g. {"thickness_mm": 17.5}.'),
    "value_error": N_("This value is not valid."),
    "datetime_parsing": N_("Enter a date and time."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
}


def message(t: Translator, exc: AppError) -> str:
    msgid = CODE_MESSAGES.get(exc.code)
    return t.gettext(msgid) if msgid else forms.app_error_message(t, exc)


def field_errors(t: Translator, exc: ValidationError) -> dict[str, str]:
    """One message per form field; a list field's errors (``oe_numbers.0``) go to the field."""
    out: dict[str, str] = {}
    shared = forms.field_errors(t, exc)
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        key = loc.split(".", 1)[0] or "__all__"
        if key in out:
            continue
        msgid = TYPE_MESSAGES.get(str(err.get("type")))
        if msgid:
            out[key] = t.gettext(msgid)
        else:
            out[key] = shared.get(loc) or shared.get(key) or t.gettext("This value is not valid.")
    return out


def error_of(t: Translator, exc: AppError) -> tuple[dict[str, str], str | None]:
    """A service error as (field errors, form error): next to its field when it names one."""
    text = message(t, exc)
    return ({exc.field: text}, None) if exc.field else ({}, text)


def text_fields(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    """The form's text fields as typed (kept for re-rendering)."""
    return {k: str(form.get(k) or "") for k in names}


def present(values: dict[str, str]) -> dict[str, Any]:
    """Blank fields dropped, the rest stripped (a blank optional field is "not set")."""
    return forms.clean(values)


def local_datetime(t: Translator, raw: str) -> datetime | None:
    """A ``datetime-local`` field (``2027-01-01T00:00``) in the user's time zone → an aware time."""
    try:
        naive = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=t.tz)


def local_input(t: Translator, value: datetime | None) -> str:
    """An aware time as a ``datetime-local`` value in the user's time zone."""
    if value is None:
        return ""
    return value.astimezone(t.tz).strftime("%Y-%m-%dT%H:%M")

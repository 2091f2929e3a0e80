"""Row checks of the bulk import: typed getters over one file row that record every problem (line,
column, value, reason) instead of raising, so a bad row is reported whole and writes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from autotrade.catalog.numbers import normalise_brand, normalise_number

EXTRA = "\x00extra"  # formats._record: values beyond the header's columns


@dataclass
class RowError:
    line: int
    column: str
    value: str
    reason: str


class Row:
    """One file row being checked: typed getters that record a problem instead of raising."""

    __slots__ = ("data", "errors", "line")

    def __init__(self, line: int, data: dict[str, str]) -> None:
        self.line = line
        self.data = data
        self.errors: list[RowError] = []
        extra = data.get(EXTRA)
        if extra:
            self.fail("", extra, "more values than header columns")

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, column: str, value: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, value, reason))

    def text(self, col: str, *, required: bool = False, max_len: int | None = None) -> str | None:
        value = self.data.get(col, "")
        if not value:
            if required:
                self.fail(col, "", "required")
            return None
        if max_len is not None and len(value) > max_len:
            self.fail(col, value, f"longer than {max_len} characters")
            return None
        return value

    def integer(
        self, col: str, *, required: bool = False, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        value = self.data.get(col, "")
        if not value:
            if required:
                self.fail(col, "", "required")
            return None
        try:
            n = int(value)
        except ValueError:
            self.fail(col, value, "not a whole number")
            return None
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            self.fail(col, value, f"must be between {lo} and {hi}")
            return None
        return n

    def choice(self, col: str, choices: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self.data.get(col, "")
        if not value:
            if required:
                self.fail(col, "", "required")
            return None
        low = value.lower()
        if low not in choices:
            self.fail(col, value, f"must be one of {', '.join(choices)}")
            return None
        return low

    def number(self, col: str, *, required: bool = False) -> tuple[str, str] | None:
        """A part number: (as written, normalised)."""
        raw = self.text(col, required=required, max_len=60)
        if raw is None:
            return None
        norm = normalise_number(raw)
        if not norm:
            self.fail(col, raw, "has no letters or digits")
            return None
        return raw, norm

    def brand(self, col: str, *, required: bool = False) -> str | None:
        raw = self.text(col, required=required, max_len=40)
        if raw is None:
            return None
        code = normalise_brand(raw)
        if not code:
            self.fail(col, raw, "has no letters or digits")
            return None
        return code

    def years(
        self, col_from: str, col_to: str, *, required_from: bool = False
    ) -> tuple[int | None, int | None]:
        y_from = self.integer(col_from, required=required_from, lo=1900, hi=2100)
        y_to = self.integer(col_to, lo=1900, hi=2100)
        if y_from is not None and y_to is not None and y_to < y_from:
            self.fail(col_to, str(y_to), f"before {col_from} {y_from}")
            return y_from, None
        return y_from, y_to

    def json_object(self, col: str) -> dict[str, Any] | None:
        """A JSON object (``{}`` when blank)."""
        raw = self.data.get(col, "")
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as e:
            self.fail(col, raw, f"not valid JSON: {e.msg}")
            return None
        if not isinstance(value, dict):
            self.fail(col, raw, "must be a JSON object ({...})")
            return None
        return value

    def vin_pattern(self, raw: str) -> str | None:
        p = raw.strip().upper()
        if not (3 <= len(p) <= 17) or any(not (c.isascii() and (c.isalnum() or c in "*?")) for c in p):
            self.fail("vin_patterns", raw, "a VIN pattern is 3–17 letters, digits, * or ?")
            return None
        if any(c in "IOQ" for c in p):
            self.fail("vin_patterns", raw, "VINs never contain I, O or Q")
            return None
        if any(c in "*?" for c in p[:3]):
            self.fail("vin_patterns", raw, "the first three characters (the WMI) must be given")
            return None
        return p

"""Bulk file formats of the catalogue: the columns of each kind, and reading CSV / XLSX as a stream.

A file is CSV (UTF-8, optional BOM, header row) or XLSX (first sheet, header row). Its kind is given,
or inferred from the header: the one kind whose required columns are all present and whose known
columns cover the whole header. Rows are yielded one at a time with the file's physical line number
(header = 1), so a 1,000,000-row file is read in constant memory.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LIST_SEP = ";"
FUEL_TYPES = ("petrol", "diesel", "hev", "phev", "bev", "erev", "fcev", "cng")
BRAND_KINDS = ("vehicle_maker", "oe_supplier", "aftermarket")
# Numbers of these kinds name the brand that issued them (a number alone is ambiguous across makers).
NUMBER_KINDS_NEEDING_BRAND = ("oe", "aftermarket", "trade")


@dataclass(frozen=True)
class Format:
    kind: str
    columns: tuple[str, ...]
    required: frozenset[str]


def _fmt(kind: str, *cols: str) -> Format:
    return Format(
        kind, tuple(c.rstrip("*") for c in cols), frozenset(c[:-1] for c in cols if c.endswith("*"))
    )


FORMATS: dict[str, Format] = {
    f.kind: f
    for f in (
        _fmt("categories", "code*", "parent_code", "name_zh*", "name_en*"),
        _fmt("brands", "code*", "name*", "name_zh", "kind*", "country"),
        _fmt(
            "vehicles",
            "make*",
            "make_zh",
            "model*",
            "model_zh",
            "generation*",
            "generation_year_from*",
            "generation_year_to",
            "variant_code*",
            "variant*",
            "engine_code",
            "displacement_cc",
            "fuel_type*",
            "transmission",
            "body",
            "power_kw",
            "year_from*",
            "year_to",
            "vin_patterns",
        ),
        _fmt(
            "parts",
            "brand*",
            "brand_number*",
            "name_zh*",
            "name_en",
            "category*",
            "quality_grade*",
            "position",
            "material",
            "attributes",
            "images",
            "status",
            "oe_numbers",
        ),
        _fmt(
            "numbers",
            "brand*",
            "brand_number*",
            "kind*",
            "number*",
            "number_brand",
            "source",
            "confidence",
            "successor",
        ),
        _fmt(
            "fitment", "brand*", "brand_number*", "variant_code*", "position", "year_from", "year_to", "note"
        ),
    )
}
KINDS = tuple(FORMATS)


class FileFormatError(ValueError):
    """The file as a whole cannot be read (unknown type, no header, unknown kind, missing columns)."""


def infer_kind(header: list[str]) -> str:
    cols = {h for h in header if h}
    matches = [f.kind for f in FORMATS.values() if f.required <= cols and cols <= set(f.columns)]
    if len(matches) != 1:
        raise FileFormatError(
            "cannot tell the kind of file from its header "
            f"({', '.join(header)}); pass the kind ({', '.join(KINDS)})"
        )
    return matches[0]


def check_header(kind: str, header: list[str]) -> None:
    fmt = FORMATS.get(kind)
    if fmt is None:
        raise FileFormatError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    missing = sorted(fmt.required - set(header))
    if missing:
        raise FileFormatError(f"{kind}: required column(s) missing from the header: {', '.join(missing)}")
    unknown = [h for h in header if h and h not in fmt.columns]
    if unknown:
        raise FileFormatError(
            f"{kind}: unknown column(s) {', '.join(unknown)}; columns: {', '.join(fmt.columns)}"
        )
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise FileFormatError(f"{kind}: column(s) repeated in the header: {', '.join(dupes)}")


def file_type(path: Path, filename: str | None = None) -> str:
    name = (filename or path.name).lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    with path.open("rb") as f:
        head = f.read(4)
    return "xlsx" if head == b"PK\x03\x04" else "csv"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class Source:
    """An open file: its header and a stream of ``(line, {column: value})`` (blank lines skipped)."""

    header: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    total: int | None  # data rows, estimated before reading (for progress)
    _close: Any = None

    def close(self) -> None:
        if self._close is not None:
            self._close()


def open_source(path: Path, ftype: str, line_count: int | None = None) -> Source:
    if ftype == "xlsx":
        return _open_xlsx(path)
    return _open_csv(path, line_count)


def _open_csv(path: Path, line_count: int | None) -> Source:
    f = path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(f)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        f.close()
        raise FileFormatError("the file is empty: a header row is expected") from None
    except UnicodeDecodeError as e:
        f.close()
        raise FileFormatError(f"the file is not UTF-8 text: {e}") from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        last = reader.line_num
        try:
            for rec in reader:
                line, last = last + 1, reader.line_num
                if not any(v.strip() for v in rec):
                    continue
                yield line, _record(header, rec)
        except UnicodeDecodeError as e:
            raise FileFormatError(f"line {last + 1}: not UTF-8 text: {e}") from None
        except csv.Error as e:
            raise FileFormatError(f"line {last + 1}: {e}") from None

    total = None if line_count is None else max(line_count - 1, 0)
    return Source(header, rows(), total, f.close)


def _record(header: list[str], rec: list[str]) -> dict[str, str]:
    if len(rec) == len(header) and all(header):  # the common case, without per-cell index checks
        return dict(zip(header, map(str.strip, rec), strict=True))
    out = {h: (rec[i].strip() if i < len(rec) else "") for i, h in enumerate(header) if h}
    if len(rec) > len(header):
        extra = [v for v in rec[len(header) :] if v.strip()]
        if extra:
            out["\x00extra"] = LIST_SEP.join(extra)
    return out


def _open_xlsx(path: Path) -> Source:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise FileFormatError(f"not a readable XLSX workbook: {e}") from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        header = [_cell(v) for v in next(it)]
    except StopIteration:
        wb.close()
        raise FileFormatError("the first sheet is empty: a header row is expected") from None
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for line, values in enumerate(it, start=2):
            rec = [_cell(v) for v in values]
            if not any(rec):
                continue
            yield line, _record(header, rec)

    total = (ws.max_row - 1) if ws.max_row else None
    return Source(header, rows(), total, wb.close)


def fingerprint(path: Path) -> tuple[str, int]:
    """SHA-256 of the file and its number of lines (one streaming pass)."""
    h = hashlib.sha256()
    lines = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            lines += chunk.count(b"\n")
    return h.hexdigest(), lines

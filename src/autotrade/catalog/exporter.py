"""Export of catalogue master data in the import formats (CSV or XLSX), streamed: an export of any
kind imports back unchanged (docs/import.md)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from autotrade.catalog.formats import FORMATS, LIST_SEP, FileFormatError
from autotrade.catalog.import_repository import STREAM, ImportRepository


def _s(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "value"):  # enums
        return str(value.value)
    return str(value)


def _chunked(rows: Iterator[Any], size: int = STREAM) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for r in rows:
        chunk.append(r)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def rows(session: Session, kind: str) -> Iterator[list[str]]:
    """The header, then one list of cell texts per record, in a stable order."""
    if kind not in FORMATS:
        raise FileFormatError(f"unknown kind {kind!r}; one of {', '.join(FORMATS)}")
    repo = ImportRepository(session)
    yield list(FORMATS[kind].columns)
    if kind == "categories":
        for r in repo.export_categories():
            yield [_s(v) for v in r]
    elif kind == "brands":
        for r in repo.export_brands():
            yield [_s(v) for v in r]
    elif kind == "vehicles":
        # Collected per chunk before the look-up query: no second query while the stream is open.
        for chunk in _chunked(repo.export_vehicles()):
            patterns = repo.vin_patterns_of([r[0] for r in chunk])
            for r in chunk:
                yield [*(_s(v) for v in r[1:]), LIST_SEP.join(patterns.get(r[0], []))]
    elif kind == "parts":
        for chunk in _chunked(repo.export_parts()):
            oes = repo.oe_numbers_of([r[0] for r in chunk])
            for r in chunk:
                attrs = r[9] or {}
                yield [
                    *(_s(v) for v in r[1:9]),
                    json.dumps(attrs, ensure_ascii=False, sort_keys=True) if attrs else "",
                    LIST_SEP.join(r[10] or []),
                    _s(r[11]),
                    LIST_SEP.join(f"{b}:{n}" for b, n in oes.get(r[0], [])),
                ]
    elif kind == "numbers":
        for r in repo.export_numbers():
            yield [_s(v) for v in r]
    else:
        for r in repo.export_fitment():
            yield [_s(v) for v in r]


def csv_chunks(session: Session, kind: str, lines_per_chunk: int = 1000) -> Iterator[str]:
    """CSV text in chunks (for streaming responses)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for n, row in enumerate(rows(session, kind), start=1):
        writer.writerow(row)
        if n % lines_per_chunk == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    if buf.getvalue():
        yield buf.getvalue()


def export_file(session: Session, kind: str, out: str | Path) -> int:
    """Write ``kind`` to ``out`` (.csv or .xlsx). Returns the number of records written."""
    out = Path(out)
    count = -1  # the header is not a record
    if out.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(kind)
        for row in rows(session, kind):
            ws.append(row)
            count += 1
        wb.save(out)
        return count
    if out.suffix.lower() != ".csv":
        raise FileFormatError("export to a .csv or .xlsx file")
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for row in rows(session, kind):
            writer.writerow(row)
            count += 1
    return count

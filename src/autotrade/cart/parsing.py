"""Quick-order input: pasted text or an uploaded CSV / XLSX file → ``(line, number, quantity)`` rows.

Pasted text has one ``number,quantity`` per line. The quantity is separated from the number by a
comma, tab, semicolon, Chinese comma (``，`` ``、``), ``×``, or by ``x`` / ``*`` next to a space
(``04465-33471 x 2``); failing those, by the last run of spaces (``04465 33471 2``: a number may itself
contain spaces, so the last word is the quantity). A line with a number alone orders one piece. A first
line that names the columns (``number,quantity``, ``零件号,数量`` …) is skipped. Files are read with
the catalogue's reader (``catalog.formats``); their header row is optional too.

Nothing here touches the database: each row comes back with either a parsed quantity or the code of
what is wrong with it (``bad_line`` or ``invalid_quantity``).
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from autotrade.cart.errors import TooManyLines, UnreadableFile
from autotrade.catalog.formats import FileFormatError, file_type, open_source

MAX_LINES = 500  # non-empty input lines per quick order
MAX_QUANTITY = 1_000_000
MAX_NUMBER_LENGTH = 60

NUMBER_HEADERS = frozenset(
    {
        "number",
        "no",
        "partnumber",
        "partno",
        "part",
        "sku",
        "oe",
        "oenumber",
        "oeno",
        "code",
        "零件号",
        "配件号",
        "配件编码",
        "零件编号",
        "编号",
        "编码",
        "oe号",
        "原厂号",
        "商品编码",
    }
)
QUANTITY_HEADERS = frozenset({"quantity", "qty", "count", "amount", "pcs", "数量", "订购数量", "件数"})

_STRONG = re.compile(r"[\t,;，、；]")
_TIMES = re.compile(r"^(?P<number>.*?)(?:\s*×\s*|\s+[xX*]\s*|[xX*]\s+)(?P<qty>[+-]?\d+(?:\.\d+)?)$")
_NUMERIC = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_INT = re.compile(r"^[+]?\d+(?:\.0+)?$")


@dataclass(frozen=True)
class InputRow:
    line: int  # 1-based line of the text or file
    raw: str  # the line as given (trimmed, at most 200 characters)
    number: str  # the number as given ("" when unparseable)
    quantity: int | None  # None: see ``error``
    error: str | None = None  # "bad_line" | "invalid_quantity"
    detail: str | None = None
    # Split at the last space (``04465 33471 2``): the whole line, which may itself be a number
    # (``04465 33471`` alone); resolution tries it, as one piece, when ``number`` is unknown.
    whole: str | None = None


def _fold(text: str) -> str:
    return re.sub(r"[\s_\-.()/（）]+", "", text.strip().lower())


def is_header(number: str, quantity: str | None) -> bool:
    """A row naming the columns rather than ordering a part."""
    if _fold(number) not in NUMBER_HEADERS:
        return False
    return quantity is None or _fold(quantity) in QUANTITY_HEADERS


def parse_quantity(text: str | None) -> tuple[int | None, str | None]:
    """``(quantity, None)`` or ``(None, reason)``. Missing → 1; ``2.0`` (a spreadsheet's 2) → 2."""
    if text is None or not text.strip():
        return 1, None
    t = unicodedata.normalize("NFKC", text).strip()
    if not _INT.match(t):
        return None, f"the quantity {text.strip()!r} is not a whole number"
    q = int(t.split(".")[0])
    if q < 1:
        return None, "the quantity must be at least 1"
    if q > MAX_QUANTITY:
        return None, f"the quantity may be at most {MAX_QUANTITY}"
    return q, None


def split_line(text: str) -> tuple[str, str | None, bool] | None:
    """A pasted line → ``(number, quantity text or None, split at a space?)``; None when it holds more
    than two fields."""
    t = unicodedata.normalize("NFKC", text).strip()
    if _STRONG.search(t):
        fields = [f.strip() for f in _STRONG.split(t)]
        while fields and not fields[-1]:
            fields.pop()
        if not fields:
            return "", None, False
        if len(fields) == 1:
            return fields[0], None, False
        if len(fields) != 2:
            return None
        return fields[0], fields[1], False
    m = _TIMES.match(t)
    if m:
        return m.group("number").strip(), m.group("qty"), False
    words = t.split()
    if len(words) >= 2 and _NUMERIC.match(words[-1]):
        return " ".join(words[:-1]), words[-1], True
    return t, None, False


def _row(line: int, raw: str, number: str, qty_text: str | None, whole: str | None = None) -> InputRow:
    number = number.strip()
    raw = raw.strip()[:200]
    if not number or not any(ch.isalnum() for ch in number):
        return InputRow(line, raw, number, None, "bad_line", f"line {line}: no part number found")
    if len(number) > MAX_NUMBER_LENGTH:
        return InputRow(
            line, raw, number[:MAX_NUMBER_LENGTH], None, "bad_line", f"line {line}: the number is too long"
        )
    qty, why = parse_quantity(qty_text)
    if qty is None:
        return InputRow(line, raw, number, None, "invalid_quantity", f"line {line}: {why}", whole)
    return InputRow(line, raw, number, qty, whole=whole)


def _check_size(count: int, field: str = "text") -> None:
    if count > MAX_LINES:
        raise TooManyLines(
            f"a quick order takes at most {MAX_LINES} lines; this one has {count}: split it",
            field=field,
            limit=MAX_LINES,
            lines=count,
        )


def parse_text(text: str) -> list[InputRow]:
    lines = text.splitlines()
    _check_size(sum(1 for x in lines if x.strip()))
    out: list[InputRow] = []
    first = True
    for i, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        parts = split_line(raw)
        if parts is None:
            out.append(
                InputRow(i, raw.strip()[:200], "", None, "bad_line", f"line {i}: expected number,quantity")
            )
            first = False
            continue
        number, qty, at_space = parts
        if first and is_header(number, qty):
            first = False
            continue
        first = False
        whole = unicodedata.normalize("NFKC", raw).strip() if at_space else None
        out.append(_row(i, raw, number, qty, whole))
    return out


def parse_file(data: bytes, filename: str | None) -> list[InputRow]:
    """A CSV (UTF-8) or XLSX (first sheet) upload: the first two columns are number and quantity,
    or — when the first row is a header — the columns it names."""
    if not data:
        raise UnreadableFile("the file is empty", field="file")
    suffix = ".xlsx" if (filename or "").lower().endswith(".xlsx") else ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            return _read_source(path, file_type(path, filename))
        except FileFormatError as e:
            raise UnreadableFile(str(e), field="file") from None


def _read_source(path: Path, ftype: str) -> list[InputRow]:
    src = open_source(path, ftype)
    try:
        header = src.header
        folded = [_fold(h) for h in header]
        number_col = next((h for h, f in zip(header, folded, strict=True) if f in NUMBER_HEADERS), None)
        if number_col is not None:  # a header row: read the columns it names
            qty_col = next((h for h, f in zip(header, folded, strict=True) if f in QUANTITY_HEADERS), None)
            rows = [
                (line, row.get(number_col, ""), row.get(qty_col, "") if qty_col else "")
                for line, row in src.rows
            ]
        else:  # no header: the first row is data, the first two columns are number and quantity
            cols = header[:2]
            if not cols or not cols[0] or (len(cols) == 2 and (not cols[1] or cols[0] == cols[1])):
                raise FileFormatError(
                    "the first row is neither a header (number,quantity) nor a number and a quantity"
                )
            rows = [(1, cols[0], cols[1] if len(cols) > 1 else "")]
            rows += [
                (line, row.get(cols[0], ""), row.get(cols[1], "") if len(cols) > 1 else "")
                for line, row in src.rows
            ]
    finally:
        src.close()
    _check_size(len(rows), "file")
    return [_row(line, f"{n},{q}" if q else n, n, q or None) for line, n, q in rows]

"""Part-number normalisation: one number however it is written.

``04465-33471``, ``0446533471``, ``04465 33471`` and ``04465.33471`` are the same number: case is
folded and spaces, dashes, dots, slashes, underscores and similar separators are removed. Letters and
digits are kept as they are (no O→0 guessing: makers use both).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s\-\.\/\\_·•,;:'\"()\[\]{}#*+|]+")


def normalise_number(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)  # full-width ０４４６５－３３４７１ → ASCII
    return _SEPARATORS.sub("", text).upper()


@lru_cache(maxsize=4096)  # a file names the same few brands on every row
def normalise_brand(raw: str) -> str:
    """Brand names compare without case, spaces or punctuation (``Mann-Filter`` = ``MANN FILTER``)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def sku_code(brand_code: str, brand_number_norm: str) -> str:
    """The unified SKU code: brand + the brand's own normalised part number (stable, idempotent)."""
    return f"{brand_code}-{brand_number_norm}"

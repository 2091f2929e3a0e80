"""Part-number shapes of the synthetic catalogue: OE numbers per vehicle maker, brand numbers per
supplier, EAN-13 barcodes, and the ways people write them.

Each function maps (category index ``c``, counter ``k``) to a distinct number: within one maker (or
brand) two different ``(c, k)`` never give the same normalised number, so the generator needs no
"seen" sets. ``k`` is spread by a fixed bijection so consecutive parts do not get consecutive numbers.
Category codes are real where we know them (Toyota 04465 front pads, VW main group 698 brakes, QC/T 265
group 3501 front brakes); the numbers themselves are invented.
"""

from __future__ import annotations

import random
import re

from autotrade.catalog.generate_vocab import CategorySpec


class NumberSpaceFull(ValueError):
    """More parts were asked of one maker and category than its number format can hold."""


LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # 23, no I O Q

# Maker category codes per leaf, in LEAVES order (front, rear where two).
# fmt: off
_HONDA = ("45022 43022", "45251 42510", "15400", "17220", "80292", "16010", "12290", "30520", "51611 52611",
          "51350 51360", "31500", "76620 76730", "31100", "14400", "19200", "12251", "19010")
_NISSAN = ("D1060 D4060", "40206 43206", "15208", "16546", "27277", "16400", "22401", "22448", "E4302 E6210",
           "54500 54501", "24410", "28890 28790", "23100", "13028", "21010", "11044", "21410")
_HMC = ("58101 58302", "51712 58411", "26300", "28113", "97133", "31112", "18846", "27301", "54651 55311",
        "54500 54501", "37110", "98350 98850", "37300", "24312", "25100", "22311", "25310")
_BMW = ("34 11;34 21", "34 11;34 21", "11 42", "13 71", "64 11", "13 32", "12 12", "12 13", "31 31;33 52",
        "31 12;31 12", "61 21", "61 61;61 62", "12 31", "11 28", "11 51", "11 12", "17 11")
_MB = ("420", "421", "180", "094", "830", "470", "159", "150", "320", "330", "982", "820", "154", "997",
       "200", "016", "500")
_QCT = ("3501 3502", "3501 3502", "1012", "1109", "8104", "1105", "3707", "3705", "2905 2915", "2904 2904",
        "3703", "5205 5206", "3701", "1021", "1307", "1003", "1301")
_VW_PLATFORMS = ("5Q0", "1K0", "3C0", "6R0", "04E", "06H", "5N0", "3G0", "8W0", "4M0", "2Q0", "06L")
_MB_SERIES = ("000", "204", "205", "213", "253", "177", "206", "223", "247", "254")
_MAZDA = ("KDY3", "B45A", "GHP9", "PE01", "BHN1", "KD45", "TK48", "BCKA", "K131", "PY01")
_CN_PREFIX = ("SA", "SC", "SE", "HA", "ST", "S101", "S201", "S311", "EK", "QD")
_SPREAD = 7919  # prime, coprime to every power of ten: k → (k·7919 + offset) mod 10ⁿ is a bijection
# fmt: on


def _pos_code(codes: str, pos: int, sep: str = " ") -> str:
    options = codes.split(sep)
    return options[min(pos, len(options) - 1)]


def _spread(k: int, size: int, offset: int) -> int:
    if k >= size:
        raise NumberSpaceFull(f"number format holds {size} numbers per maker and category")
    return (k * _SPREAD + offset) % size


def _letters(n: int, width: int) -> str:
    out = ""
    for _ in range(width):
        n, r = divmod(n, len(LETTERS))
        out = LETTERS[r] + out
    return out


def oe_number(fmt: str, cat: CategorySpec, c: int, pos: int, k: int, offset: int) -> str:
    """The maker's number for the ``k``-th part of category ``c`` (written the way the maker does)."""
    if fmt == "toyota":
        return f"{_pos_code(' '.join(cat.toyota), pos)}-{_spread(k, 100_000, offset):05d}"
    if fmt == "vw":  # platform, main+sub group, part, index: 5Q0 698 151 A
        n = _spread(k, len(_VW_PLATFORMS) * 1000 * 9, offset)
        plat, rest = divmod(n, 9000)
        part, idx = divmod(rest, 9)
        index = "" if idx == 0 else " " + "ABCDEFGHJ"[idx - 1]
        return f"{_VW_PLATFORMS[plat]} {cat.vw} {part:03d}{index}"
    if fmt == "honda":  # 45022-TBA-A01
        n = _spread(k, 23 * 23 * 23 * 100, offset)
        model, n = divmod(n, 2300)
        return f"{_pos_code(_HONDA[c], pos)}-T{_letters(model, 2)}-{LETTERS[n // 100]}{n % 100:02d}"
    if fmt == "nissan":  # D1060-1KA0A
        n = _spread(k, 10 * 23 * 23 * 10, offset)
        a, n = divmod(n, 23 * 23 * 10)
        bc, d = divmod(n, 10)
        return f"{_pos_code(_NISSAN[c], pos)}-{a}{_letters(bc, 2)}{d}A"
    if fmt == "hmc":  # 58101-2WA00
        n = _spread(k, 10 * 23 * 23 * 100, offset)
        a, n = divmod(n, 23 * 23 * 100)
        bc, dd = divmod(n, 100)
        return f"{_pos_code(_HMC[c], pos)}-{a}{_letters(bc, 2)}{dd:02d}"
    if fmt == "bmw":  # 34 11 6 860 016
        n = _spread(k, 100_000, offset)
        return f"{_pos_code(_BMW[c], pos, ';')} {c % 3 + 6} {c % 10}{n // 1000:02d} {n % 1000:03d}"
    if fmt == "mb":  # A 000 420 72 20
        n = _spread(k, 10 * 10_000, offset)
        series, n = divmod(n, 10_000)
        return f"A {_MB_SERIES[series]} {_MB[c]} {n // 100:02d} {n % 100:02d}"
    if fmt == "gm":  # 13500597
        return f"{1 + c % 9}{c // 9}{_spread(k, 1_000_000, offset):06d}"
    if fmt == "mazda":  # KDY3-33-28ZA
        n = _spread(k, 10 * 1000 * 8, offset)
        pre, n = divmod(n, 8000)
        part, idx = divmod(n, 8)
        return f"{_MAZDA[pre]}-{10 + c}-{part:03d}{'' if idx == 0 else 'ABCDEFG'[idx - 1]}"
    if fmt == "tesla":  # 1044621-00-C
        n = _spread(k, 50_000 * 4, offset)
        return f"{1_000_000 + c * 50_000 + n // 4}-00-{'ABCD'[n % 4]}"
    if fmt == "cn_qct":  # QC/T 265 group number: SC-3501080
        n = _spread(k, 10 * 1000 * 9, offset)
        pre, n = divmod(n, 9000)
        part, idx = divmod(n, 9)
        index = "" if idx == 0 else "-" + "ABCDEFGH"[idx - 1]
        return f"{_CN_PREFIX[pre]}-{_pos_code(_QCT[c], pos)}{part:03d}{index}"
    if fmt == "cn_digits":  # Geely: 1014001812
        return f"10{c:02d}{_spread(k, 1_000_000, offset):06d}"
    if fmt == "cn_gwm":  # 3501110XKZ16A
        n = _spread(k, 1000 * 23 * 23 * 10, offset)
        part, n = divmod(n, 23 * 23 * 10)
        ll, d = divmod(n, 10)
        return f"{_pos_code(_QCT[c], pos)}{part:03d}X{_letters(ll, 2)}{d}{c % 10}A"
    raise ValueError(f"unknown OE number format {fmt!r}")


_MANN = {"FILTER.OIL": "HU", "FILTER.AIR": "C", "FILTER.CABIN": "CUK", "FILTER.FUEL": "WK"}
_MAHLE = {"FILTER.OIL": "OX", "FILTER.AIR": "LX", "FILTER.CABIN": "LA", "FILTER.FUEL": "KL"}
_TRW = {"BRAKE.PAD": "GDB", "BRAKE.DISC": "DF", "SUSPENSION.ARM": "JTC"}
_NGK = ("BKR", "ILKAR", "LKR", "DILKAR")


def brand_number(fmt: str, cat: CategorySpec, c: int, k: int, offset: int) -> str:
    """A supplier's own number for its ``k``-th part of category ``c``."""
    n = _spread(k, 100_000, offset)
    if fmt == "bosch":  # 0 986 494 614
        d = f"{c:02d}{n:05d}"
        return f"0 98{d[0]} {d[1:4]} {d[4:]}"
    if fmt == "brembo":
        return f"{'PD'[c % 2]} {c:02d} {n:05d}" if cat.code.startswith("BRAKE") else f"09.{c:02d}{n:05d}.11"
    if fmt == "trw":
        return f"{_TRW.get(cat.code, 'JT' + str(c))}{n:05d}"
    if fmt == "ate":
        return f"13.04{c:02d}-{n:05d}.2"
    if fmt == "textar":
        return f"2{c:02d}{n:05d}01"
    if fmt == "ferodo":
        return f"{'FDB' if c == 0 else 'DDF'}{n:05d}"
    if fmt == "akebono":
        return f"AN-{n:05d}K"
    if fmt == "mann":
        return f"{_MANN.get(cat.code, 'MF')} {n:05d}{('', ' x', ' z')[k % 3]}"
    if fmt == "mahle":
        return f"{_MAHLE.get(cat.code, 'CR' + str(c))} {n:05d}{'D' if c == 2 else ''}"
    if fmt == "hengst":
        return f"E{n:05d}{'HLSK'[c % 4]}{c:02d}"
    if fmt == "ngk":
        return f"{_NGK[c % 4]}{c % 10}{n:05d}"
    if fmt == "denso":
        return f"DX{c:02d}-{n:05d}"
    if fmt == "valeo":
        return f"{c:02d}{n:05d}"
    if fmt == "sachs":
        return f"3{c:02d} {n:05d}"
    if fmt == "kyb":
        return f"3{c:02d}{n:05d}"
    if fmt == "lemforder":
        return f"{n:05d} {c:02d}"
    if fmt == "conti":
        return f"CT{n:05d}"
    if fmt == "gates":
        return f"{n:05d}XS{c:02d}"
    if fmt == "hella":
        return f"8{c % 10}{c // 10} {n:05d}-{c:03d}"
    if fmt == "varta":
        return f"5{c:02d} {n:05d}"
    if fmt == "camel":
        return f"6-QW-{n:05d}"
    if fmt == "elring":
        return f"{n:05d}.{c:03d}"
    raise ValueError(f"unknown brand number format {fmt!r}")


def ean13(k: int) -> str:
    body = f"69{k:010d}"  # GS1 China prefix range 690–699
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


_SEP = re.compile(r"[\s\-\.]+")


def varied(number: str, rng: random.Random) -> str:
    """The same number as people write it: as printed, run together, dashed, spaced or lower case."""
    r = rng.random()
    if r < 0.4:
        return number
    if r < 0.6:
        return _SEP.sub("", number)
    if r < 0.75:
        return _SEP.sub("-", number)
    if r < 0.9:
        return _SEP.sub(" ", number)
    return number.lower()


def dirty(number: str, rng: random.Random) -> str:
    """A query as typed: separators dropped, moved or doubled, letters lower-cased."""
    plain = _SEP.sub("", number)
    r = rng.random()
    if r < 0.25:
        out = plain.lower()
    elif r < 0.5:
        out = " ".join(plain[i : i + 3] for i in range(0, len(plain), 3))
    elif r < 0.75:
        out = "-".join(plain[i : i + 4] for i in range(0, len(plain), 4)).lower()
    else:
        out = " " + number.replace(" ", "  ").replace("-", " - ") + " "
    return out

"""The pure VIN decoder: normalisation, length, alphabet, check digit (NA/China error vs elsewhere warning),
model-year cycle, WMI tables (ours checked against vininfo and NHTSA), VIN patterns."""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

import pytest
from vininfo import Vin
from vininfo.dicts import WMI as VININFO_WMI

from autotrade.vehicles import vin
from autotrade.vehicles.vin import check_digit, decode, with_check_digit

TODAY = date(2026, 11, 22)
DATA = Path(vin.__file__).parent / "data"


def codes(d: vin.VinDecoded) -> list[tuple[str, int | None]]:
    return [(e.code, e.position) for e in d.errors]


# ---- real sample VINs with known answers --------------------------------------------------------------


def test_honda_accord_2003_the_textbook_example() -> None:
    d = decode("1HGCM82633A004352", today=TODAY)
    assert d.valid and d.errors == [] and d.warnings == []
    assert (d.wmi, d.make, d.country) == ("1HG", "Honda", "United States")
    assert d.manufacturer == "AMERICAN HONDA MOTOR CO., INC."
    assert d.check_digit_ok is True
    assert (d.model_year, d.model_year_candidates) == (2003, [2003])  # position 7 '2' numeric: 1980–2009
    assert (d.plant_code, d.serial) == ("A", "004352")
    assert (vin.vds_of(d.vin), vin.vis_of(d.vin)) == ("CM8263", "3A004352")


def test_check_digit_x_example_of_49_cfr_565() -> None:
    d = decode("1M8GDM9AXKP042788", today=TODAY)
    assert d.valid and d.check_digit_ok is True and check_digit(d.vin) == "X"
    assert d.make == "Motor Coach Industries" and d.country == "United States"
    assert d.model_year == 1989  # 'K' with position 7 '9' numeric


def test_european_vin_without_check_digit_is_valid_with_a_warning() -> None:
    d = decode("WVWZZZ1JZXW000001", today=TODAY)
    assert d.valid is True and d.errors == []
    assert [w.code for w in d.warnings] == ["vin_check_digit"]
    assert "expected '0'" in d.warnings[0].message
    assert d.check_digit_ok is False
    assert (d.make, d.manufacturer, d.country) == ("Volkswagen", "VOLKSWAGEN AG", "Germany")
    assert (d.model_year, d.model_year_candidates) == (1999, [1999])  # 2029 is after next year


# ---- normalisation, length, alphabet ------------------------------------------------------------------


def test_lowercase_and_surrounding_space_are_accepted() -> None:
    d = decode("  1hgcm82633a004352\t", today=TODAY)
    assert d.vin == "1HGCM82633A004352" and d.valid


@pytest.mark.parametrize("raw", ["", "1HGCM82633A00435", "1HGCM82633A0043521", "1HG"])
def test_bad_length(raw: str) -> None:
    d = decode(raw, today=TODAY)
    assert not d.valid
    assert codes(d) == [("vin_length", None)]
    assert f"has {len(raw)}" in d.errors[0].message
    assert d.model_year is None and d.check_digit_ok is None and d.serial is None


@pytest.mark.parametrize(("bad", "pos"), [("I", 4), ("O", 11), ("Q", 17)])
def test_i_o_q_are_refused_with_their_position(bad: str, pos: int) -> None:
    good = "1HGCM82633A004352"
    raw = good[: pos - 1] + bad + good[pos:]
    d = decode(raw, today=TODAY)
    assert not d.valid and codes(d) == [("vin_characters", pos)]
    assert f"{bad!r} at position {pos}" in d.errors[0].message
    assert "I, O and Q" in d.errors[0].message


def test_every_bad_character_is_reported_once_each() -> None:
    d = decode("1HGCM8-633A0O4 52", today=TODAY)
    assert codes(d) == [("vin_characters", 7), ("vin_characters", 13), ("vin_characters", 15)]


@pytest.mark.parametrize("raw", ["1HGCM82633A00435Ä", "LFV2A21K2M300000一", "ＬFV2A21K2M3000001"])
def test_non_ascii_is_refused(raw: str) -> None:
    d = decode(raw, today=TODAY)
    assert not d.valid
    assert [e.code for e in d.errors] == ["vin_characters"]
    assert "Latin letters" in d.errors[0].message


def test_upper_casing_never_changes_the_length() -> None:
    d = decode("1HGCM82633A00435ß", today=TODAY)  # 'ß'.upper() would be 'SS'
    assert codes(d) == [("vin_characters", 17)] and len(d.vin) == 17


def test_length_and_characters_are_both_reported() -> None:
    d = decode("LFVIO", today=TODAY)
    assert codes(d) == [("vin_length", None), ("vin_characters", 4), ("vin_characters", 5)]
    assert d.wmi == "LFV" and d.make == "Volkswagen, Audi"  # the WMI is still readable


# ---- check digit --------------------------------------------------------------------------------------


def test_bad_check_digit_is_an_error_for_north_america() -> None:
    d = decode("1HGCM82643A004352", today=TODAY)
    assert not d.valid and d.check_digit_ok is False
    assert codes(d) == [("vin_check_digit", 9)]
    assert "expected '3'" in d.errors[0].message and "North American" in d.errors[0].message
    assert d.model_year == 2003  # everything else is still decoded


def test_bad_check_digit_is_a_warning_in_europe() -> None:
    d = decode(with_check_digit("WBA8E9G50GNT12345")[:8] + "Z" + "GNT12345", today=TODAY)
    assert d.valid and d.errors == [] and [w.code for w in d.warnings] == ["vin_check_digit"]


def test_chinese_vin_requires_the_check_digit() -> None:
    good = with_check_digit("LFV2A21K0M3000001")
    assert good == "LFV2A21K2M3000001"
    assert decode(good, today=TODAY).valid
    bad = good[:8] + ("3" if good[8] != "3" else "4") + good[9:]
    d = decode(bad, today=TODAY)
    assert not d.valid and codes(d) == [("vin_check_digit", 9)]
    assert "Chinese" in d.errors[0].message


def test_check_digit_agrees_with_vininfo_on_random_vins() -> None:
    rng = random.Random(3779)
    alphabet = sorted(vin.ALPHABET)
    for _ in range(500):
        raw = "".join(rng.choice(alphabet) for _ in range(17))
        raw = raw[:9] + rng.choice(vin.YEAR_CODES) + raw[10:]
        fixed = with_check_digit(raw)
        assert Vin(fixed).verify_checksum() is True
        assert decode(fixed, today=TODAY).check_digit_ok is True
        if fixed != raw:
            assert Vin(raw).verify_checksum() is False
            assert decode(raw, today=TODAY).check_digit_ok is False


# ---- model year ---------------------------------------------------------------------------------------


def test_north_america_position_7_numeric_means_first_cycle() -> None:
    d = decode(with_check_digit("1HGCM826X1A004352")[:9] + "A" + "A004352", today=TODAY)
    d = decode(with_check_digit(d.vin), today=TODAY)
    assert d.vin[6] == "2" and d.model_year == 1980 and d.model_year_candidates == [1980]


def test_north_america_position_7_letter_means_second_cycle() -> None:
    d = decode(with_check_digit("1HGCM8A60AA004352"), today=TODAY)
    assert d.valid and d.vin[6] == "A" and d.model_year == 2010 and d.model_year_candidates == [2010]


def test_elsewhere_the_latest_year_not_after_next_year_with_alternatives() -> None:
    d = decode(with_check_digit("LFV2A21K0A3000001"), today=TODAY)
    assert (d.model_year, d.model_year_candidates) == (2010, [2010, 1980])
    y = decode(with_check_digit("LFV2A21K0Y3000001"), today=TODAY)
    assert (y.model_year, y.model_year_candidates) == (2000, [2000])  # 2030 is after 2027
    later = decode(with_check_digit("LFV2A21K0Y3000001"), today=date(2029, 1, 1))
    assert (later.model_year, later.model_year_candidates) == (2030, [2030, 2000])
    nine = decode(with_check_digit("LFV2A21K093000001"), today=TODAY)
    assert (nine.model_year, nine.model_year_candidates) == (2009, [2009])


@pytest.mark.parametrize("code", ["U", "Z", "0"])
def test_no_model_year_code_is_an_error_in_china_and_a_warning_in_europe(code: str) -> None:
    cn = decode(with_check_digit(f"LFV2A21K0{code}3000001"), today=TODAY)
    assert not cn.valid and codes(cn) == [("vin_model_year", 10)] and cn.model_year is None
    eu = decode(f"WVWZZZ1JZ{code}W000001", today=TODAY)
    assert eu.valid and [w.code for w in eu.warnings] == ["vin_check_digit", "vin_model_year"]
    assert eu.model_year is None and eu.model_year_candidates == []


def test_year_codes_cover_thirty_years_without_i_o_q_u_z_0() -> None:
    assert len(vin.YEAR_CODES) == 30 and not set("IOQUZ0") & set(vin.YEAR_CODES)


# ---- WMI tables ---------------------------------------------------------------------------------------

CHINA = {
    "LFV": ("FAW-Volkswagen", "Volkswagen, Audi"),
    "LSV": ("SAIC Volkswagen", "Volkswagen, Škoda"),
    "LBV": ("BMW Brilliance Automotive", "BMW"),
    "LGB": ("Dongfeng Nissan", "Nissan, Venucia"),
    "LVS": ("Changan Ford", "Ford"),
    "LSG": ("SAIC General Motors", "Buick, Chevrolet, Cadillac"),
    "LDC": ("Dongfeng Peugeot-Citroën (Shenlong)", "Peugeot, Citroën"),
    "LB3": ("Geely Automobile", "Geely"),
    "LGX": ("BYD Auto", "BYD"),
    "LRW": ("Tesla Shanghai", "Tesla"),
    "LVH": ("Dongfeng Honda", "Honda"),
    "LHG": ("GAC Honda (Guangzhou Honda)", "Honda"),
    "LVG": ("GAC Toyota", "Toyota"),
    "LFM": ("FAW Toyota", "Toyota"),
    "LE4": ("Beijing Benz", "Mercedes-Benz"),
    "LSJ": ("SAIC Motor Passenger Vehicle (MG / Roewe)", "MG, Roewe"),
    "LGW": ("Great Wall Motor", "Great Wall, Haval"),
    "LVV": ("Chery Automobile", "Chery"),
    "LNB": ("BAIC Motor", "BAIC, Arcfox"),
    "LS5": ("Changan Automobile (Changan Suzuki)", "Changan, Suzuki"),
}


@pytest.mark.parametrize("wmi", sorted(CHINA))
def test_chinese_makers(wmi: str) -> None:
    d = decode(with_check_digit(f"{wmi}2A21K0M3000001"), today=TODAY)
    assert d.valid, d.errors
    assert (d.manufacturer, d.make, d.country) == (*CHINA[wmi], "China")


def _own_rows() -> list[dict[str, str]]:
    with (DATA / "wmi_autotrade.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_our_table_is_checked_against_the_sources_it_names() -> None:
    nhtsa = {r["wmi"] for r in csv.DictReader((DATA / "nhtsa_vpic_wmi.csv").open(encoding="utf-8"))}
    rows = _own_rows()
    assert len(rows) == len({r["wmi"] for r in rows}) >= 35
    for r in rows:
        src = r["checked_against"]
        assert r["country"] == "China" and r["wmi"].startswith("L")
        assert ("vininfo" in src) == (r["wmi"] in VININFO_WMI), r
        assert ("NHTSA" in src) == (r["wmi"] in nhtsa), r
        if "unverified" in src:
            assert r["wmi"] not in VININFO_WMI and r["wmi"] not in nhtsa
    assert {r["wmi"] for r in rows if "unverified" in r["checked_against"]} == {"LB3", "LNB"}


def test_vininfo_names_agree_with_ours_where_it_has_the_wmi() -> None:
    """vininfo's own short names, for the joint ventures the issue names: we keep the same maker."""
    expect = {
        "LFV": "FAW-Volkswagen",
        "LSV": "SAIC Volkswagen",
        "LBV": "BMW Brilliance",
        "LGB": "Dongfeng Nissan",
        "LVS": "Changan Ford",
        "LSG": "SAIC General Motors",
        "LDC": "Dongfeng Peugeot-Citroën",
        "LGX": "BYD Auto",
        "LRW": "Tesla China",
        "LVH": "Dongfeng Honda",
        "LHG": "Guangzhou Honda",
        "LVG": "GAC Toyota",
        "LFM": "FAW Toyota",
        "LE4": "Beijing Benz",
        "LSJ": "SAIC MG",
        "LVV": "Chery",
    }
    assert {w: VININFO_WMI[w] for w in expect} == expect


def test_our_table_overrides_nhtsa_registrant_country() -> None:
    """NHTSA lists LSG under General Motors LLC, USA (the registrant); the WMI is Chinese (ISO 3780 L)."""
    assert vin._nhtsa_table()["LSG"].country == "United States"
    d = decode(with_check_digit("LSGZS83L0KA000001"), today=TODAY)
    assert (d.country, d.manufacturer) == ("China", "SAIC General Motors")


def test_small_maker_six_character_wmi_from_nhtsa() -> None:
    # 109013: WMI "109" (third character 9: a maker of fewer than 1,000 vehicles a year) + positions 12–14.
    d = decode(with_check_digit("109AB12C0K1013555"), today=TODAY)
    assert d.manufacturer == "ODOM'S MANUFACTURING INC  WELDING" and d.make == "Odom's Manufacturers"


def test_vininfo_two_character_fallback_and_unknown_wmi() -> None:
    d = decode("JTAZZZ1JZXW000001", today=TODAY)  # neither NHTSA nor vininfo has JTA; vininfo has JT
    assert (d.manufacturer, d.make, d.country) == ("Toyota", "Toyota", "Japan")
    unknown = decode(with_check_digit("AAZ2A21K0M3000001"), today=TODAY)
    assert unknown.manufacturer is None and unknown.country == "South Africa"
    assert [w.code for w in unknown.warnings] == ["vin_wmi_unknown"]


# ---- VIN patterns -------------------------------------------------------------------------------------

SAGITAR = "LFV2A21K2M3000001"


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("LFV2A21K2M3000001", True),
        ("LFV", True),
        ("LFV2A2", True),
        ("LFV2A2*K?M", True),
        ("LFV****************"[:17], True),
        ("LFV2A3", False),
        ("LFV2A21K2M30000012", False),  # longer than a VIN
        ("LSV", False),
        ("LFV2A21K2M3000002", False),
    ],
)
def test_pattern_matching(pattern: str, matches: bool) -> None:
    assert vin.pattern_matches(pattern, SAGITAR) is matches


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "at least the three WMI"),
        ("LF", "first three characters"),
        ("L*V2A", "first three characters"),
        ("??V", "first three characters"),
        ("LFVI", "'I' at position 4"),
        ("LFV-2A", "'-' at position 4"),
        ("LFV2A21K2M30000012", "at most 17"),
    ],
)
def test_invalid_patterns(raw: str, problem: str) -> None:
    found = vin.pattern_problem(vin.normalise_pattern(raw))
    assert found is not None and problem in found


def test_valid_patterns_are_normalised() -> None:
    assert vin.normalise_pattern(" lfv2a2150* ") == "LFV2A2150*"
    assert vin.pattern_problem("LFV2A2150*") is None
    assert vin.pattern_specificity("LFV2A2150*") == 9

import pytest
from pydantic import TypeAdapter, ValidationError

from autotrade.core.validators import USCC, IdNumber, Phone, uscc_with_check


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91110000600037341L", "91110000600037341L"),  # a real published code
        (" 91110000600037341l ", "91110000600037341L"),  # whitespace and case folded
        (uscc_with_check("91330100MA2RPR004"), "91330100MA2RPR004C"),
    ],
)
def test_uscc_valid(raw, expected):
    assert TypeAdapter(USCC).validate_python(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "91110000600037341X",  # wrong check character
        "9111000060003734",  # too short
        "91110000600037341LL",  # too long
        "91110000I00037341L",  # I is not in the GB 32100 alphabet
    ],
)
def test_uscc_invalid_has_stable_code(raw):
    with pytest.raises(ValidationError) as e:
        TypeAdapter(USCC).validate_python(raw)
    assert e.value.errors()[0]["type"] == "invalid_uscc"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("13812341234", "13812341234"), ("+86 138-1234-1234", "13812341234"), ("0571-88886666", "057188886666")],
)
def test_phone(raw, expected):
    assert TypeAdapter(Phone).validate_python(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "23812341234", "phone"])
def test_phone_invalid(raw):
    with pytest.raises(ValidationError) as e:
        TypeAdapter(Phone).validate_python(raw)
    assert e.value.errors()[0]["type"] == "invalid_phone"


def test_resident_id_check_digit():
    assert TypeAdapter(IdNumber).validate_python("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError) as e:
        TypeAdapter(IdNumber).validate_python("110105194912310021")
    assert e.value.errors()[0]["type"] == "invalid_id_number"

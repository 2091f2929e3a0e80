"""Reusable field types with stable error codes (the ``code`` in problem+json ``errors``)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

_PHONE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9}|0\d{2,3}\d{7,8})$")


def _uscc(v: str) -> str:
    """统一社会信用代码, GB 32100-2015: 18 characters, check character over the first 17."""
    try:
        return str(uscc.validate(v.strip().upper()))
    except StdnumError as e:
        raise PydanticCustomError(
            "invalid_uscc",
            "not a valid unified social credit code (GB 32100): {reason}",
            {"reason": str(e)},
        ) from e


def _phone(v: str) -> str:
    compact = re.sub(r"[\s\-()]", "", v)
    m = _PHONE.match(compact)
    if not m:
        raise PydanticCustomError("invalid_phone", "not a valid mainland China mobile or landline number")
    return m.group(1)


def _id_number(v: str) -> str:
    try:
        return str(ric.validate(v.strip().upper()))
    except StdnumError as e:
        raise PydanticCustomError(
            "invalid_id_number", "not a valid resident identity card number: {reason}", {"reason": str(e)}
        ) from e


def _bank_account(v: str) -> str:
    compact = re.sub(r"[\s\-]", "", v)
    if not re.fullmatch(r"\d{8,30}", compact):
        raise PydanticCustomError("invalid_bank_account", "a bank account number is 8–30 digits")
    return compact


def _password(v: str) -> str:
    if len(v) < 10:
        raise PydanticCustomError("weak_password", "a password needs at least 10 characters")
    if len(v) > 200:
        raise PydanticCustomError("too_long", "a password has at most 200 characters")
    if v.isdigit() or v.isalpha():
        raise PydanticCustomError("weak_password", "a password needs both letters and digits or symbols")
    return v


USCC = Annotated[str, AfterValidator(_uscc)]
Phone = Annotated[str, AfterValidator(_phone)]
IdNumber = Annotated[str, AfterValidator(_id_number)]
BankAccount = Annotated[str, AfterValidator(_bank_account)]
Password = Annotated[str, AfterValidator(_password)]


def uscc_with_check(first17: str) -> str:
    """Complete 17 characters into a valid code (demo data, tests)."""
    return first17 + str(uscc.calc_check_digit(first17))

import base64

import pytest
from cryptography.exceptions import InvalidTag

from autotrade.core.crypto import Keyring, mask


def _key(byte: int) -> bytes:
    return bytes([byte]) * 32


def test_roundtrip_and_fresh_nonce():
    kr = Keyring({"k1": _key(1)}, "k1", b"blind")
    a, b = kr.encrypt("13812341234", "phone"), kr.encrypt("13812341234", "phone")
    assert a != b  # random nonce: equal plaintexts do not give equal ciphertexts
    assert a.startswith("v1.k1.")
    assert "13812341234" not in a
    assert kr.decrypt(a, "phone") == "13812341234"


def test_rotation_old_key_still_decrypts_new_data_uses_active_key():
    old = Keyring({"k1": _key(1)}, "k1", b"blind")
    token = old.encrypt("6222021001123456789", "bank_account")
    rotated = Keyring({"k1": _key(1), "k2": _key(2)}, "k2", b"blind")
    assert rotated.decrypt(token, "bank_account") == "6222021001123456789"
    assert rotated.key_id_of(rotated.encrypt("x", "bank_account")) == "k2"


def test_ciphertext_bound_to_its_column_purpose():
    kr = Keyring({"k1": _key(1)}, "k1", b"blind")
    token = kr.encrypt("11010519491231002X", "id_number")
    with pytest.raises(InvalidTag):
        kr.decrypt(token, "phone")


def test_unknown_key_id_is_a_clear_error():
    kr = Keyring({"k1": _key(1)}, "k1", b"blind")
    token = kr.encrypt("x", "phone").replace("v1.k1.", "v1.k9.")
    with pytest.raises(ValueError, match="unknown key id 'k9'"):
        kr.decrypt(token, "phone")


def test_blind_index_is_keyed_and_normalised():
    kr = Keyring({"k1": _key(1)}, "k1", b"blind")
    assert kr.blind_index("138 1234 1234", "phone") == kr.blind_index("+8613812341234", "phone")
    assert kr.blind_index("13812341234", "phone") != Keyring({"k1": _key(1)}, "k1", b"other").blind_index(
        "13812341234", "phone"
    )
    assert len(kr.blind_index("13812341234", "phone")) == 64


@pytest.mark.parametrize(
    ("value", "purpose", "masked"),
    [
        ("13812341234", "phone", "138****1234"),
        ("11010519491231002X", "id_number", "110105********002X"),
        ("6222021001123456789", "bank_account", "***************6789"),
        (None, "phone", None),
    ],
)
def test_masking(value, purpose, masked):
    assert mask(value, purpose) == masked


def test_settings_reject_short_keys():
    from autotrade.core.settings import Settings

    s = Settings(field_keys="k:" + base64.b64encode(b"short").decode(), field_key_active="k")
    with pytest.raises(ValueError, match="must be 32 bytes"):
        s.field_key_map()

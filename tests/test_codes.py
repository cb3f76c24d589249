import pytest

from mujun.codes import (
    is_valid_account_no,
    is_valid_parcel_code,
    is_valid_uscc,
    normalise_code,
    normalise_name,
    uscc_check_character,
)

# Codes of well-known companies, published on their licences.
KNOWN_VALID = ["91330100799655058B", "9144030071526726XG", "914403001922038216",
               "91350100M000100Y43", "91110000802100433B"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_validate(code):
    assert is_valid_uscc(code)
    assert uscc_check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", [
    "91330100799655058C",   # wrong check character
    "91330100799655058",    # 17 characters
    "91330100799655058BB",  # 19 characters
    "9133010079965505IB",   # I is not in the alphabet
    "91330100799655O58B",   # nor is O
    "",
    None,
])
def test_invalid_codes_refused(code):
    assert not is_valid_uscc(code)


@pytest.mark.parametrize("raw", [
    "９１３３０１００７９９６５５０５８Ｂ",      # full-width
    "91330100799655058b",                       # lower case
    "  91330100799655058B ",                     # padded
    "9133 0100 7996 5505 8B",                    # spaced
    "\u300091330100799655058B\t",                # ideographic space and a tab
])
def test_normalisation_recovers_the_code(raw):
    assert normalise_code(raw) == "91330100799655058B"
    assert is_valid_uscc(normalise_code(raw))


def test_every_wrong_check_character_is_caught():
    first17 = KNOWN_VALID[0][:17]
    right = uscc_check_character(first17)
    from mujun.codes import USCC_ALPHABET
    for ch in USCC_ALPHABET:
        assert is_valid_uscc(first17 + ch) == (ch == right)


def test_parcel_and_account_shapes():
    assert is_valid_parcel_code("340123002004GB00011")
    assert is_valid_parcel_code(normalise_code(" 340123002004gb00011"))
    assert not is_valid_parcel_code("340123002004GB0001")
    assert not is_valid_parcel_code("34012300200AGB00011")
    assert is_valid_account_no("0123456789")
    assert not is_valid_account_no("012345678")
    assert not is_valid_account_no("01234567890")


def test_names_keep_case_but_lose_spaces():
    assert normalise_name(" 宁波 Ｘ化工 有限公司 ") == "宁波X化工有限公司"
    assert normalise_name(None) is None

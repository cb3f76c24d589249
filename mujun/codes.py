"""Identifier normalisation and validation (feeds.md, "Values").

Codes arrive as the source keeps them: full-width digits, lower case, padding.
They are compared only after NFKC normalisation, removal of white space and
upper-casing; then a USCC is checked by its GB 32100-2015 check character, a
parcel code by the GB/T 37346-2019 shape and an account number by its ten digits.
"""

from __future__ import annotations

import re
import unicodedata

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18

PARCEL_CODE_PATTERN = re.compile(r"^[0-9]{12}[A-Z]{2}[0-9]{5}$")
ACCOUNT_NO_PATTERN = re.compile(r"^[0-9]{10}$")
_WHITESPACE = re.compile(r"\s+")


def normalise_code(raw: str | None) -> str | None:
    """NFKC, all white space removed, upper case; None stays None."""
    if raw is None:
        return None
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def normalise_name(raw: str | None) -> str | None:
    """Names are matched after NFKC with white space removed (case is kept)."""
    if raw is None:
        return None
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw))


def uscc_check_character(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a code."""
    if len(first17) != USCC_LENGTH - 1:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    total = sum(USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str | None) -> bool:
    """True for an already normalised, well-formed code with the right check character."""
    if code is None or len(code) != USCC_LENGTH:
        return False
    if any(ch not in USCC_VALUE for ch in code):
        return False
    return uscc_check_character(code[:17]) == code[17]


def is_valid_parcel_code(code: str | None) -> bool:
    return code is not None and PARCEL_CODE_PATTERN.fullmatch(code) is not None


def is_valid_account_no(code: str | None) -> bool:
    return code is not None and ACCOUNT_NO_PATTERN.fullmatch(code) is not None

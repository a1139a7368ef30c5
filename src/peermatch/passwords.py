"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile).

Werkzeug's default (scrypt with N=2^15, or PBKDF2) is weaker than we want for
accounts that open special-category data.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4


def hash_password(password: str) -> str:
    """An argon2id hash with a random salt."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong or malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


# Verified against on unknown emails so sign-in takes as long whether or not the account exists.
DUMMY_HASH = hash_password("not-a-real-password")

"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MAXIMUM_LENGTH = 128

_hasher = PasswordHasher()


def configure_hashing(*, time_cost: int, memory_kib: int, parallelism: int) -> None:
    """Set the argon2id cost once at start-up (tests lower it; production keeps the defaults)."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("evidence-hub-timing-equaliser")


def spend_verification_time() -> None:
    """Take as long as a real check, so an unknown email cannot be told from a wrong password."""
    verify_password(_dummy_hash(), "not-the-password")


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("evidence_hub").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").splitlines())


def problems_with_new_password(password: str, *, minimum_length: int, email: str = "") -> list[str]:
    """Plain-English reasons the password cannot be used; empty when it can."""
    if len(password) < minimum_length:
        return [f"Password must be {minimum_length} characters or more"]
    if len(password) > MAXIMUM_LENGTH:
        return [f"Password must be {MAXIMUM_LENGTH} characters or fewer"]
    if password.lower() in common_passwords() or password.strip().lower() in common_passwords():
        return ["Password is too common: choose one that would be hard to guess"]
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        return ["Password must not contain your email address"]
    if len(set(password)) < 4:
        return ["Password must not repeat the same few characters"]
    return []

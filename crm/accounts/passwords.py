"""argon2id password hashing with costs from configuration."""

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher():
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def hash_password(password):
    """Return an argon2id hash of `password`."""
    return _hasher().hash(password)


def verify_password(password_hash, password):
    """Return True if `password` matches; spend the same work when there is no hash."""
    hasher = _hasher()
    if password_hash is None:
        # Unknown account: hash anyway so the time taken does not reveal it.
        hasher.hash(password or "")
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """Return True if the hash was made with older costs."""
    return _hasher().check_needs_rehash(password_hash)

"""A POST body as a rendered form would send it: with a one-time token (accounts/once.py)."""

from accounts.once import FIELD, issue_token


def with_once(user, data: dict) -> dict:
    return {**data, FIELD: issue_token(user)}

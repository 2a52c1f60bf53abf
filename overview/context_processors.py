"""The red banner KS staff see on every page while the latest reconciliation run failed."""

from .reconciliation import latest_failed


def reconciliation_banner(request) -> dict:
    """For KS staff only (others cost nothing): when the latest run that failed started. One
    cached query (reconciliation.latest_failed)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_ks_staff:
        return {}
    return {"reconciliation_failed_at": latest_failed()}

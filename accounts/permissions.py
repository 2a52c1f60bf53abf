"""Role checks for views. Each returns (allowed, reason) where the UI needs to say why not."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def _require(predicate):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


ks_staff_required = _require(lambda u: u.is_ks_staff)
municipal_required = _require(lambda u: u.is_municipal)
council_required = _require(lambda u: u.is_council)
council_or_staff_required = _require(lambda u: u.is_council or u.is_ks_staff)
municipal_or_staff_required = _require(lambda u: u.is_municipal or u.is_ks_staff)
# The portfolio: municipal users (their own projects), KS staff and, read-only, the council.
portfolio_reader_required = _require(lambda u: u.is_municipal or u.is_ks_staff or u.is_council)


# --- who may, for the workflow tables (members, repayments): (allowed, reason) ------------


def is_member_user_or_ks(obj, user) -> tuple[bool, str]:
    """KS, a municipal user, or the system (no user: imports, tasks). Which member a municipal
    user acts for is the view's business: it is always the user's own organisation."""
    if user is None or user.is_ks_staff or user.is_municipal:
        return True, ""
    return False, _("Bare KS eller kommunale brukere kan gjøre dette.")


def is_ks_or_system(obj, user) -> tuple[bool, str]:
    """Money and invoicing: KS, or the system (no user: payment imports, tasks)."""
    if user is None or user.is_ks_staff:
        return True, ""
    return False, _("Bare KS kan gjøre dette.")

"""Role checks for views. Each returns (allowed, reason) where the UI needs to say why not."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


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

"""Keep each role's auth group and permissions in step with the models (run after migrate)."""

from django.contrib.auth.models import Group, Permission

from .models import ROLE_GROUPS, Role

# KS staff administer everything in the fund's own apps, and can unlock a locked-out login
# (axes) and reset a colleague's lost authenticator (otp_totp).
KS_STAFF_APPS = [
    "accounts",
    "members",
    "fund",
    "projects",
    "repayments",
    "invoicing",
    "axes",
    "otp_totp",
]
# They may look at the role groups but not change what a role may do (that is a deployment
# decision, made in accounts/roles.py).
KS_STAFF_VIEW_ONLY_APPS = ["auth"]
# Council members read what the queue needs; they change no proposal and no ledger entry.
COUNCIL_VIEW_APPS = ["projects"]


def sync_role_groups(**kwargs):
    ks, _ = Group.objects.get_or_create(name=ROLE_GROUPS[Role.KS_STAFF])
    ks.permissions.set(
        Permission.objects.filter(content_type__app_label__in=KS_STAFF_APPS)
        | Permission.objects.filter(
            content_type__app_label__in=KS_STAFF_VIEW_ONLY_APPS, codename__startswith="view_"
        )
    )
    council, _ = Group.objects.get_or_create(name=ROLE_GROUPS[Role.COUNCIL])
    council.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=COUNCIL_VIEW_APPS, codename__startswith="view_"
        )
    )
    Group.objects.get_or_create(name=ROLE_GROUPS[Role.MUNICIPAL])

"""Keep each role's auth group and permissions in step with the models (run after migrate)."""

from django.contrib.auth.models import Group, Permission

from .models import ROLE_GROUPS, Role

# KS staff administer everything in the fund's own apps.
KS_STAFF_APPS = ["accounts", "members", "fund", "projects", "repayments", "invoicing"]
# Council members read what the queue needs; they change no proposal and no ledger entry.
COUNCIL_VIEW_APPS = ["projects"]


def sync_role_groups(**kwargs):
    ks, _ = Group.objects.get_or_create(name=ROLE_GROUPS[Role.KS_STAFF])
    ks.permissions.set(Permission.objects.filter(content_type__app_label__in=KS_STAFF_APPS))
    council, _ = Group.objects.get_or_create(name=ROLE_GROUPS[Role.COUNCIL])
    council.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=COUNCIL_VIEW_APPS, codename__startswith="view_"
        )
    )
    Group.objects.get_or_create(name=ROLE_GROUPS[Role.MUNICIPAL])

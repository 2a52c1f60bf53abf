from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.permissions import ks_staff_required, municipal_required

from .selectors import member_list
from .services import participation_balance, participation_paid_amount


@municipal_required
def my_organisation(request):
    """The municipal user's own organisation: share, status and payments. Never another's."""
    member = request.user.organisation
    participation = getattr(member, "participation", None)
    context = {"member": member, "participation": participation}
    if participation is not None:
        context["paid"] = participation_paid_amount(participation=participation)
        context["balance"] = participation_balance(participation=participation)
    return render(request, "members/my_organisation.html", context)


@ks_staff_required
def staff_member_list(request):
    kind = request.GET.get("type") or None
    search = request.GET.get("q", "").strip()
    page = Paginator(member_list(kind=kind, search=search), 50).get_page(request.GET.get("side"))
    return render(
        request,
        "members/staff_member_list.html",
        {"page": page, "kind": kind or "", "search": search},
    )

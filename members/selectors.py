from .models import Member


def member_list(*, kind: str | None = None, search: str = ""):
    qs = Member.objects.select_related("participation", "county").order_by("kind", "number")
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(name__icontains=search) | qs.filter(number__startswith=search)
    return qs

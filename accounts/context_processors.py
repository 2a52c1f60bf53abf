from django.apps import apps
from django.urls import NoReverseMatch, reverse


def role_key(user) -> str:
    """anonymous, municipal, council or ks_staff: the role that picks a user's navigation."""
    if not user.is_authenticated:
        return "anonymous"
    if user.is_ks_staff:
        return "ks_staff"
    if user.is_council:
        return "council"
    if user.is_municipal:
        return "municipal"
    return "anonymous"


def _declared_navigation():
    """Each app declares its menu entries on its AppConfig as
    `navigation = {role: [(order, label, url_name), ...]}`; no app edits another's menu."""
    merged: dict[str, list] = {}
    for config in apps.get_app_configs():
        for role, entries in getattr(config, "navigation", {}).items():
            merged.setdefault(role, []).extend(entries)
    return {role: sorted(entries, key=lambda e: e[0]) for role, entries in merged.items()}


def navigation(request):
    role = role_key(request.user)
    items = []
    for _order, label, name in _declared_navigation().get(role, []):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "current": request.path.startswith(url)})
    return {"nav_items": items, "nav_role": role}

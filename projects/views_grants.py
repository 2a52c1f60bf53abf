"""The grant's page (tilsagn, issue 18): KS and the council see it; the formal applicant
accepts or declines it; KS edits its conditions while it is offered. Other organisations: 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.once import OnceRefused, consume_once, once_refused_response
from accounts.permissions import portfolio_reader_required
from invoicing.selectors import documents_for

from . import selectors
from .forms import GrantAcceptForm, GrantConditionsForm, GrantDeclineForm
from .letters import grant_letter_prefix
from .services.grants import (
    TRANSITIONS,
    GrantError,
    available_transitions,
    grant_accept,
    grant_conditions_update,
    grant_decline,
)


def _conditions_form(grant, data=None):
    rows = [(c.title, c.text) for c in grant.conditions.all()]
    return GrantConditionsForm(data, conditions=rows)


@portfolio_reader_required
def grant_detail(request, pk):
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    grant = selectors.grant_of(project=project)
    if grant is None:
        if request.method == "POST":
            raise PermissionDenied
        return _no_grant(request, project)
    user = request.user
    here = reverse("projects:grant_detail", args=[project.pk])
    actions = {
        t.name: (allowed, reason)
        for t, allowed, reason in available_transitions(grant=grant, user=user)
    }
    accept_form, decline_form = GrantAcceptForm(), GrantDeclineForm()
    conditions_form = _conditions_form(grant) if user.is_ks_staff else None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not _may(action, grant, user):
            raise PermissionDenied
        try:
            with consume_once(request, f"projects.grant.{action}") as once:
                done = _perform(action, grant, user, request.POST)
                once.result_url = here
            messages.success(request, done)
            return redirect(here)
        except _Invalid as exc:
            messages.error(request, str(exc))
            accept_form, decline_form, conditions_form = exc.forms(
                accept_form, decline_form, conditions_form
            )
        except GrantError as exc:
            messages.error(request, str(exc))
        except OnceRefused as exc:
            return once_refused_response(request, exc, fallback_url=here)
        grant.refresh_from_db()
        actions = {t.name: (a, r) for t, a, r in available_transitions(grant=grant, user=user)}
    offered = grant.status == grant.Status.OFFERED
    released = grant.status in (grant.Status.DECLINED, grant.Status.LAPSED)
    sees_capital = user.is_ks_staff or user.is_council
    return render(
        request,
        "projects/grant_detail.html",
        {
            "project": project,
            "grant": grant,
            "budget": project.budget_years.all(),
            "conditions": grant.conditions.all(),
            "timeline": selectors.grant_timeline(grant=grant),
            "letters": documents_for(user=user).filter(
                source_key__startswith=grant_letter_prefix(grant=grant)
            ),
            "accept": actions.get("accept"),
            "decline": actions.get("decline"),
            "accept_form": accept_form,
            "decline_form": decline_form,
            "conditions_form": conditions_form if offered else None,
            "released": released,
            "available": selectors.available_capital() if released and sees_capital else None,
        },
    )


def _may(action: str, grant, user) -> bool:
    """Who may post the action at all (the state is the service's to judge, with a message)."""
    if action in ("accept", "decline"):
        return TRANSITIONS[action].who(grant, user)[0]
    return action == "conditions" and user.is_ks_staff


class _Invalid(GrantError):
    """A form that did not validate; carries the bound form back to the page."""

    def __init__(self, message, *, name, form):
        super().__init__(message)
        self.name, self.form = name, form

    def forms(self, accept, decline, conditions):
        bound = {"accept": accept, "decline": decline, "conditions": conditions}
        bound[self.name] = self.form
        return bound["accept"], bound["decline"], bound["conditions"]


def _perform(action: str, grant, user, data) -> str:
    """Validate the action's form and call its service; returns the success message."""
    if action == "accept":
        form = GrantAcceptForm(data)
        if not form.is_valid():
            raise _Invalid(
                _("Fyll ut navnet på den som signerer, og bekreft aksepten."),
                name=action,
                form=form,
            )
        grant_accept(grant=grant, signed_by_name=form.cleaned_data["signed_by_name"], actor=user)
        return _("Tilsagnet er akseptert. Utbetaling kan nå anmodes.")
    if action == "decline":
        form = GrantDeclineForm(data)
        if not form.is_valid():
            raise _Invalid(_("Begrunnelse for avslaget må fylles ut."), name=action, form=form)
        grant_decline(grant=grant, reason=form.cleaned_data["reason"], actor=user)
        return _("Tilsagnet er avslått, og midlene er frigitt.")
    form = _conditions_form(grant, data)
    if not form.is_valid():
        raise _Invalid(_("Vilkårene er for lange."), name="conditions", form=form)
    grant_conditions_update(grant=grant, conditions=form.conditions(), actor=user)
    return _("Vilkårene er lagret.")


def _no_grant(request, project):
    messages.info(request, _("Prosjektet ble innvilget før tilsagn ble registrert i DigiFin."))
    return redirect("projects:project_detail", pk=project.pk)

"""KS invites a person to act for a member in DigiFin (issue 21 §1): a form (name, e-mail,
organisation, last day), the invitation e-mailed once with its link, and the list of
invitations with their state. The invitation itself and the login it allows live in accounts
(accounts/identity.py); the e-mail goes through invoicing's one mail path (invoicing/mail.py),
which accounts, a lower layer, may not import. Only KS invites: DigiFin has no role for a
municipality's own administrator (docs/decisions/accounts-oidc.md)."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.identity import invitation_create, invitation_revoke, invitation_status
from accounts.models import Invitation
from accounts.once import OnceRefused, consume_once, once_refused_response
from accounts.permissions import ks_staff_required
from core.bounds import TEXT_SHORT
from invoicing.mail import send_once

from .models import Member

MAX_INVITATION_DAYS = 90


class UserInvitationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Navn"), max_length=TEXT_SHORT)
    email = forms.EmailField(label=gettext_lazy("E-post"), max_length=254)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisasjon"),
        queryset=Member.objects.filter(valid_to__isnull=True).order_by("name"),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Gyldig til og med"),
        help_text=gettext_lazy("Høyst 90 dager fram i tid."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value < today or value > today + datetime.timedelta(days=MAX_INVITATION_DAYS):
            raise forms.ValidationError(
                _("Velg en dato fra i dag og høyst %(days)s dager fram.")
                % {"days": MAX_INVITATION_DAYS}
            )
        return value


def _default_form():
    days = settings.DIGIFIN_INVITATION_DAYS
    return UserInvitationForm(
        initial={"expires_on": timezone.localdate() + datetime.timedelta(days=days)}
    )


def _page(request, form, status=200):
    invitations = Invitation.objects.select_related("organisation", "used_by", "created_by")[:100]
    now = timezone.now()
    rows = [(invitation, invitation_status(invitation, now=now)) for invitation in invitations]
    return render(
        request,
        "members/user_invitations.html",
        {"form": form, "rows": rows},
        status=status,
    )


def send_invitation_email(*, invitation: Invitation, link: str) -> None:
    """The invitation e-mail, once per invitation."""
    body = render_to_string(
        "members/user_invitation_email.txt", {"invitation": invitation, "link": link}
    )
    send_once(
        key=f"user-invitation:{invitation.pk}",
        to=invitation.email,
        subject=_("Invitasjon til DigiFin: %(organisation)s")
        % {"organisation": invitation.organisation.name},
        body=body,
        attachments=[],
    )


@ks_staff_required
def user_invitations(request):
    """KS's list of invitations to persons, and the form to invite one."""
    if request.method != "POST":
        return _page(request, _default_form())
    form = UserInvitationForm(request.POST)
    here = reverse("members:user_invitations")
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        with consume_once(request, "members.user_invitation") as once:
            invitation, token = invitation_create(actor=request.user, **form.cleaned_data)
            link = request.build_absolute_uri(reverse("accounts:invitation", args=[token]))
            once.result_url = here
    except OnceRefused as exc:
        return once_refused_response(request, exc, fallback_url=here)
    send_invitation_email(invitation=invitation, link=link)
    messages.success(
        request,
        _("Invitasjonen er sendt til %(email)s.") % {"email": invitation.email},
    )
    return redirect(here)


@ks_staff_required
@require_POST
def user_invitation_revoke(request, pk: int):
    invitation = get_object_or_404(Invitation, pk=pk)
    here = reverse("members:user_invitations")
    try:
        with consume_once(request, "members.user_invitation_revoke") as once:
            invitation = invitation_revoke(invitation=invitation, actor=request.user)
            once.result_url = here
    except OnceRefused as exc:
        return once_refused_response(request, exc, fallback_url=here)
    if invitation.revoked_at:
        messages.success(request, _("Invitasjonen er trukket tilbake."))
    else:
        messages.info(request, _("Invitasjonen var allerede brukt, utløpt eller trukket tilbake."))
    return redirect(here)

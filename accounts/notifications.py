"""The e-mail notifications a user can get, and which of them the user may turn off.

One catalogue for the project: each notification has a code, the role it is for, a label for
the settings page and whether it is essential. Essential notifications carry a deadline with
legal or financial effect (an invoice, a co-application that stops a submission, a decision)
and cannot be turned off; the others are reminders the task list ("Mine oppgaver") shows
anyway. Sending goes through invoicing/notify.py (`notify_users`), which reads this catalogue.
docs/decisions/tasks-and-notifications.md."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Role


@dataclass(frozen=True)
class NotificationKind:
    code: str
    role: str
    label: object
    essential: bool


# fmt: off
KINDS: dict[str, NotificationKind] = {k.code: k for k in [
    NotificationKind("coapplicant_confirm", Role.MUNICIPAL,
                     _("Forespørsel om å bekrefte medsøknad"), essential=True),
    NotificationKind("invoice_overdue", Role.MUNICIPAL,
                     _("Purring på forfalt faktura"), essential=True),
    NotificationKind("case_to_score", Role.COUNCIL,
                     _("Ny sak å gi poeng i på rådsmøtets saksliste"), essential=False),
    NotificationKind("meeting_coming", Role.COUNCIL,
                     _("Påminnelse om rådsmøte en uke før"), essential=False),
    NotificationKind("reconciliation_failed", Role.KS_STAFF,
                     _("Avstemmingen fant avvik"), essential=True),
    # KS's decisions on a proposal and on its grant, and the grant's conditions: essential
    # (a decision, an acceptance deadline with legal effect, a reporting duty in the grant).
    NotificationKind("proposal_decision", Role.MUNICIPAL,
                     _("Vedtak og ny status på prosjektforslag"), essential=True),
    NotificationKind("grant_to_accept", Role.MUNICIPAL,
                     _("Tilsagn som må aksepteres innen fristen"), essential=True),
    NotificationKind("grant_status", Role.MUNICIPAL,
                     _("Tilsagn akseptert, avslått eller bortfalt"), essential=True),
    NotificationKind("benefit_report_due", Role.MUNICIPAL,
                     _("Gevinstrapport som skal sendes"), essential=True),
]}
# fmt: on


def kinds_for(user) -> list[NotificationKind]:
    """The notifications a user of this role can get (KS staff: the KS ones)."""
    role = Role.KS_STAFF if user.is_ks_staff else user.role
    return [kind for kind in KINDS.values() if kind.role == role]


def optional_kinds_for(user) -> list[NotificationKind]:
    return [kind for kind in kinds_for(user) if not kind.essential]


def wants(user, code: str) -> bool:
    """Whether `user` gets notification `code`: essential ones always, others unless muted."""
    kind = KINDS[code]
    return kind.essential or code not in (user.muted_notifications or [])

"""Norwegian labels for model fields that were declared without a verbose name (their label
would be the English field name: "created by", "recorded at") and for the third-party models
KS staff meet in the admin (django-otp's TOTP devices). Applied once at start-up by
DigifinConfig.ready() to fields whose `verbose_name` was not given, so the admin's column heads,
form labels and filters read Norwegian, and the later nynorsk catalogue translates them like any
other string. A field's label set here is not part of its migration state (Django keeps the
declared name for that), so no migration follows (docs/decisions/pages-admin-in-norwegian.md)."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from projects.models import SECTIONS

FIELD_LABELS = {
    # who and when
    "actor": _("utført av"),
    "allocated_at": _("fordelt"),
    "allocated_by": _("fordelt av"),
    "answered_at": _("vurdert"),
    "answered_by": _("vurdert av"),
    "at": _("tidspunkt"),
    "closed_at": _("avsluttet"),
    "confirmed_at": _("bekreftet"),
    "confirmed_by": _("bekreftet av"),
    "consumed_at": _("brukt"),
    "created_at": _("opprettet"),
    "created_by": _("opprettet av"),
    "decided_at": _("besluttet"),
    "decided_by": _("besluttet av"),
    "declared_at": _("erklært"),
    "expires_at": _("utløper"),
    "finished_at": _("ferdig"),
    "imported_at": _("importert"),
    "imported_by": _("importert av"),
    "last_used_at": _("sist brukt"),
    "notified_at": _("varslet"),
    "recorded_at": _("registrert"),
    "recorded_by": _("registrert av"),
    "reported_at": _("rapportert"),
    "reported_by": _("rapportert av"),
    "requested_by": _("bestilt av"),
    "scored_at": _("poeng gitt"),
    "sent_at": _("sendt"),
    "started_at": _("startet"),
    "started_by": _("startet av"),
    "updated_at": _("endret"),
    "updated_by": _("endret av"),
    "uploaded_by": _("lastet opp av"),
    "used_at": _("brukt"),
    # what it belongs to
    "agreement": _("tilgangsavtale"),
    "bank_import": _("bankimport"),
    "criterion": _("kriterium"),
    "document": _("dokument"),
    "event": _("hendelse"),
    "invoice": _("faktura"),
    "item": _("sak"),
    "job": _("massejobb"),
    "meeting": _("rådsmøte"),
    "member": _("medlem"),
    "participation": _("deltakelse"),
    "period": _("periode"),
    "predecessor": _("forgjenger"),
    "project": _("prosjekt"),
    "proposal": _("prosjektforslag"),
    "subject_id": _("gjelder (id)"),
    "subject_type": _("gjelder (type)"),
    "successor": _("etterfølger"),
    "user": _("bruker"),
    # the rest
    "active": _("aktiv"),
    "address_digest": _("adresse (hash)"),
    "attempts": _("forsøk"),
    "case_number": _("saksnummer"),
    "case_year": _("saksår"),
    "client_ip": _("klientens IP-adresse"),
    "code": _("kode"),
    "code_digest": _("kode (hash)"),
    "comment": _("kommentar"),
    "data": _("data"),
    "error": _("feil"),
    "external_ref": _("ekstern referanse"),
    "file": _("fil"),
    "fingerprint": _("fingeravtrykk"),
    "from_status": _("fra status"),
    "idempotency_key": _("idempotensnøkkel"),
    "key": _("nøkkel"),
    "last_number": _("siste nummer"),
    "name": _("navn"),
    "note": _("merknad"),
    "object_id": _("objekt-id"),
    "order": _("rekkefølge"),
    "position": _("linjenummer"),
    "purpose": _("formål"),
    "result_url": _("resultatside"),
    "sent": _("sendt"),
    "series": _("serie"),
    "sha256": _("SHA-256"),
    "source_key": _("kildenøkkel"),
    "status": _("status"),
    "subject": _("emne"),
    "submission_key": _("innsendingsnøkkel"),
    "to": _("til"),
    "to_status": _("til status"),
    "token": _("engangskode"),
    "version": _("versjon"),
    "year": _("år"),
    # django-otp's TOTP device (no verbose names of its own)
    "confirmed": _("bekreftet"),
    "digits": _("sifre"),
    "drift": _("avvik (tidssteg)"),
    "last_t": _("siste tidssteg"),
    "step": _("tidssteg (sekunder)"),
    "t0": _("starttid (Unix)"),
    "throttling_failure_count": _("mislykkede forsøk"),
    "throttling_failure_timestamp": _("siste mislykkede forsøk"),
    "tolerance": _("toleranse (tidssteg)"),
    # issue 18, 21: grants, payment requests, invitations, the register
    "token_digest": _("nøkkelens fingeravtrykk"),
    "used_by": _("brukt av"),
    "revoked_at": _("trukket tilbake"),
    "provider": _("innloggingstjeneste"),
    "subject_digest": _("identitetens fingeravtrykk"),
    "last_login_at": _("sist innlogget"),
    "member_ids": _("medlemmer"),
    "changes": _("endringer"),
    "failures": _("feil"),
    "skipped": _("hoppet over"),
    "applied_by": _("tatt i bruk av"),
    "grant": _("tilsagn"),
    "attachment": _("vedlegg"),
    "attachment_type": _("vedleggstype"),
    "submitted_by": _("sendt inn av"),
    "ledger_entry": _("postering"),
    "request": _("utbetalingsanmodning"),
    "approved_by": _("godkjent av"),
    "report": _("rapport"),
}

# The proposal's text sections are labelled by Digdir's template headings.
PROPOSAL_LABELS = {name: label for name, label, *_rest in SECTIONS}

APPS = ("accounts", "members", "fund", "projects", "repayments", "invoicing", "otp_totp")


def apply_field_labels():
    for app_label in APPS:
        for model in apps.get_app_config(app_label).get_models():
            labels = PROPOSAL_LABELS if model._meta.model_name == "proposal" else {}
            for field in model._meta.get_fields():
                if not getattr(field, "concrete", False) or field._verbose_name is not None:
                    continue
                label = labels.get(field.name) or FIELD_LABELS.get(field.name)
                if label is not None:
                    field.verbose_name = label

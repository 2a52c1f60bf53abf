from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BatchJob, Document


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Beløp (kr)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    paid_on = forms.DateField(label=_("Betalt dato"), help_text=_("Format: dd.mm.åååå"))
    reference = forms.CharField(label=_("Referanse"), max_length=200, required=False)


class CreditForm(forms.Form):
    reason = forms.CharField(label=_("Årsak til kreditering"), max_length=300)


class BankFileForm(forms.Form):
    file = forms.FileField(label=_("Bankfil (camt.054 XML)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Filen er for stor (maks 5 MB)."))
        return upload


class BatchStartForm(forms.Form):
    # Invitation letters start from the members' page that lists the recipients first.
    kind = forms.ChoiceField(
        label=_("Massejobb"),
        choices=[(k, v) for k, v in BatchJob.Kind.choices if k != BatchJob.Kind.INVITATIONS],
    )


class LetterPreviewForm(forms.Form):
    # The minutes are not a letter template of their own: the council's protokoll is sent as is.
    LETTER_KINDS = [
        (k, v)
        for k, v in Document.Kind.choices
        if k not in (Document.Kind.INVOICE, Document.Kind.MINUTES)
    ]
    member = forms.IntegerField(label=_("Medlem (id)"), widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Brev"), choices=LETTER_KINDS)


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("Hva er gjort?"), max_length=200)

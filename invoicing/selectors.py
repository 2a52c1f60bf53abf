"""Reads for invoicing, always scoped to what the user may see."""

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from . import handlers
from .models import BatchJob, Document, Invoice, OutgoingEmail, Payment


def organisation_lineage(*, member_id: int) -> set[int]:
    """The organisation and every predecessor it took over (merges 2018/2020/2024): a merged
    kommune sees the invoices and letters its predecessors received. Members knows the
    successions (the registered handlers.BuyerDirectory)."""
    return handlers.buyers().lineage(member_id=member_id)


def invoices_for(*, user) -> QuerySet[Invoice]:
    """KS staff see every invoice; a municipal user sees its own organisation's (and its
    predecessors')."""
    qs = Invoice.objects.select_related("buyer", "credits").order_by("-issued_on", "-number")
    if user.is_ks_staff:
        return qs
    if user.is_municipal:
        return qs.filter(buyer_id__in=organisation_lineage(member_id=user.organisation_id))
    return qs.none()


def documents_for(*, user) -> QuerySet[Document]:
    qs = Document.objects.select_related("member", "invoice").order_by("-created_at", "-id")
    if user.is_ks_staff:
        return qs
    if user.is_municipal:
        return qs.filter(member_id__in=organisation_lineage(member_id=user.organisation_id))
    return qs.none()


def invoice_get(*, user, pk: int) -> Invoice:
    invoice = invoices_for(user=user).filter(pk=pk).first()
    if invoice is None:
        raise Http404
    return invoice


def document_get(*, user, pk: int) -> Document:
    document = documents_for(user=user).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def payments_needing_attention() -> QuerySet[Payment]:
    return Payment.objects.filter(resolved=False).select_related("invoice", "invoice__buyer")


def emails_needing_attention() -> QuerySet[OutgoingEmail]:
    """Claimed but never confirmed sent (a worker died mid-send), or failed."""
    stale = timezone.now() - datetime.timedelta(minutes=10)
    return OutgoingEmail.objects.filter(
        Q(status=OutgoingEmail.Status.FAILED)
        | Q(status=OutgoingEmail.Status.SENDING, created_at__lt=stale)
    ).order_by("-created_at")


def recent_jobs(limit: int = 10):
    return BatchJob.objects.select_related("started_by")[:limit]

"""Payment requests, the final report and closing (issue 18 §4): the bad-input list of the
issue, each refused with the field and the reason and nothing saved; a double approval books
once; the final payment completes the project, releases the unspent grant and hands the
solution over to FDVU."""

import datetime
from decimal import Decimal

import pytest

from fund.models import LedgerEntry
from projects.models import FinalReport, Grant, PaymentRequest, Project, ProjectEvent
from projects.selectors import (
    available_capital,
    committed_unspent_grants,
    payment_requests_awaiting_approval,
    project_disbursed,
)
from projects.services.followup_workflow import FollowupError
from projects.services.payments import (
    final_report_submit,
    payment_request_approve,
    payment_request_return,
    payment_request_submit,
)
from repayments.models import Solution
from tests.hardening.builders import active_project
from tests.projects.factories import participant_user

TODAY = datetime.date.today()
FINAL_REPORT = {
    "results": "Løsningen er i drift hos pilotkommunene.",
    "deliverables": "Skjemaløsning, integrasjon mot sak/arkiv.",
    "benefits_so_far": "Kortere saksbehandlingstid.",
    "solution_name": "Digitalt startlån",
    "solution_description": "Søknad om startlån for alle kommuner.",
    "fdvu_owner": "KS Digital",
    "fdvu_terms": "Brukerne deler FDVU likt.",
    "fdvu_yearly_cost": Decimal("120000"),
    "handed_over_on": TODAY,
}


def _request(project, user, amount="30000", kind="partial", **extra):
    return payment_request_submit(
        project=project,
        kind=kind,
        amount=Decimal(amount),
        progress="Første leveranse ferdig.",
        costs={"external": Decimal("25000"), "internal": Decimal("5000")},
        actor=user,
        **extra,
    )


def _disbursements(project):
    return LedgerEntry.objects.filter(kind="disbursement", project_ref=project.pk)


@pytest.fixture
def project(ks_user):
    return active_project(ks_user, request=False)


def test_partial_request_approved_books_one_disbursement_linked_to_it(project, ks_user):
    project, applicant = project
    request = _request(project, applicant)
    assert list(payment_requests_awaiting_approval()) == [request]
    payment_request_approve(request=request, paid_on=TODAY, actor=ks_user)
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.ledger_entry == _disbursements(project).get()
    assert project_disbursed(project=project) == Decimal("30000.00")
    assert list(payment_requests_awaiting_approval()) == []
    assert list(ProjectEvent.objects.filter(project=project).values_list("name", "actor")) == [
        ("submit", applicant.pk),
        ("approve", ks_user.pk),
    ]


def test_a_request_approved_twice_books_once(project, ks_user):
    project, applicant = project
    request = _request(project, applicant)
    payment_request_approve(request=request, paid_on=TODAY, actor=ks_user)
    with pytest.raises(FollowupError, match="allerede godkjent"):
        payment_request_approve(request=request, paid_on=TODAY, actor=ks_user)
    assert _disbursements(project).count() == 1


def test_amount_above_the_grant_is_refused_with_the_remaining_amount(project, ks_user):
    project, applicant = project
    _request(project, applicant, amount="60000")  # waiting requests count against the grant
    with pytest.raises(
        FollowupError, match=r"Beløp: 50\s000\skr overstiger .*\(40\s000\skr\)"
    ) as e:
        _request(project, applicant, amount="50000")
    assert e.value.field == "Beløp"
    assert PaymentRequest.objects.count() == 1


def test_no_request_before_the_grant_is_accepted(project, ks_user):
    project, applicant = project
    Grant.objects.filter(project=project).update(status=Grant.Status.OFFERED)
    with pytest.raises(FollowupError, match="ikke akseptert"):
        _request(project, applicant)
    assert not PaymentRequest.objects.exists()


def test_only_the_responsible_municipality_requests(project, ks_user):
    project, _applicant = project
    other = participant_user()
    with pytest.raises(FollowupError, match="ansvarlige medlemmets"):
        _request(project, other)
    with pytest.raises(FollowupError):
        _request(project, ks_user)
    assert not PaymentRequest.objects.exists()


def test_returned_request_has_a_reason_and_a_corrected_one_can_be_sent(project, ks_user):
    project, applicant = project
    request = _request(project, applicant, amount="90000")
    with pytest.raises(FollowupError, match="Begrunnelse"):
        payment_request_return(request=request, reason=" ", actor=ks_user)
    payment_request_return(request=request, reason="Regnskapet mangler.", actor=ks_user)
    request.refresh_from_db()
    assert (request.status, request.return_reason) == ("returned", "Regnskapet mangler.")
    corrected = _request(project, applicant, amount="90000")  # the room is free again
    assert corrected.status == "submitted"
    assert not _disbursements(project).exists()


def test_final_request_needs_the_final_report_and_there_is_only_one(project, ks_user):
    project, applicant = project
    with pytest.raises(FollowupError, match="Type: sluttutbetaling krever"):
        _request(project, applicant, kind="final")
    final_report_submit(project=project, actor=applicant, **FINAL_REPORT)
    _request(project, applicant, kind="final")
    with pytest.raises(FollowupError, match="Type: prosjektet har allerede"):
        _request(project, applicant, kind="final", amount="1000")
    assert PaymentRequest.objects.filter(kind="final").count() == 1


def test_final_report_refuses_an_empty_field_naming_it(project):
    project, applicant = project
    with pytest.raises(FollowupError, match="Resultater: må fylles ut") as e:
        final_report_submit(project=project, actor=applicant, **{**FINAL_REPORT, "results": " "})
    assert e.value.field == "results"
    assert not FinalReport.objects.exists()


def test_final_payment_closes_the_project_releases_the_rest_and_hands_over(project, ks_user):
    project, applicant = project
    partial = _request(project, applicant, amount="30000")
    payment_request_approve(request=partial, paid_on=TODAY, actor=ks_user)
    final_report_submit(project=project, actor=applicant, **FINAL_REPORT)
    final = _request(project, applicant, kind="final", amount="50000")
    available_before = available_capital()
    assert committed_unspent_grants() == Decimal("20000.00") + Decimal("50000.00")
    payment_request_approve(request=final, paid_on=TODAY, actor=ks_user)
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    assert project.final_report.status == "approved"
    # 50 000 kr paid out of what was committed; the unspent 20 000 kr returns to available
    # capital.
    assert committed_unspent_grants() == Decimal("0.00")
    assert available_capital() == available_before + Decimal("20000.00")
    solution = Solution.objects.get(project=project)
    assert (solution.name, solution.available_on, solution.is_published) == (
        "Digitalt startlån",
        TODAY,
        False,
    )
    # After closing: no request, no change of the final report.
    with pytest.raises(FollowupError, match="avsluttet"):
        _request(project, applicant, amount="1000")
    with pytest.raises(FollowupError):
        final_report_submit(project=project, actor=applicant, **FINAL_REPORT)
    assert PaymentRequest.objects.count() == 2

"""The access matrix: every URL of the portal, council views, staff views and API × every role →
the expected outcome. tests/security/test_access_matrix.py runs it and fails for any URL
pattern that has no entry here, so a new view cannot ship without its access rule.

Roles: anonymous; municipal_a (a municipal user of the organisation that owns the objects);
municipal_b (a municipal user of another organisation); council; ks_staff; inactive (a
deactivated municipal user of organisation A: treated as anonymous)."""

OK = "ok"  # 2xx (or a redirect inside the app for POST actions)
LOGIN = "login"  # redirect to the login page
FORBIDDEN = "forbidden"  # 403
NOT_FOUND = "not_found"  # 404: the object is not among those the user may see
INVALID = "invalid"  # 400: the form was refused (allowed for POST entries sent empty)
DENIED = (FORBIDDEN, NOT_FOUND)

ROLES = ["anonymous", "municipal_a", "municipal_b", "council", "ks_staff", "inactive"]


def rule(anonymous=LOGIN, municipal_a=OK, municipal_b=OK, council=OK, ks_staff=OK, inactive=LOGIN):
    return {
        "anonymous": anonymous,
        "municipal_a": municipal_a,
        "municipal_b": municipal_b,
        "council": council,
        "ks_staff": ks_staff,
        "inactive": inactive,
    }


PUBLIC = rule(anonymous=OK, inactive=OK)
MUNICIPAL = rule(council=FORBIDDEN, ks_staff=FORBIDDEN)
# An object of organisation A: B gets 404 (it cannot even learn the object exists).
MUNICIPAL_OBJECT = rule(municipal_b=NOT_FOUND, council=FORBIDDEN, ks_staff=FORBIDDEN)
MUNICIPAL_OBJECT_OR_STAFF = rule(municipal_b=NOT_FOUND, council=FORBIDDEN)
STAFF = rule(municipal_a=FORBIDDEN, municipal_b=FORBIDDEN, council=FORBIDDEN)
COUNCIL_OR_STAFF = rule(municipal_a=FORBIDDEN, municipal_b=FORBIDDEN)
COUNCIL = rule(municipal_a=FORBIDDEN, municipal_b=FORBIDDEN, ks_staff=FORBIDDEN)
ANY_SIGNED_IN = rule()
UNCONFIGURED = dict.fromkeys(ROLES, NOT_FOUND)

# url name → (method, rule, object builder name or None). Builders live in
# tests/security/builders.py and return the URL kwargs for an object owned by organisation A.
# POST entries are sent with empty data: an allowed role may get OK or INVALID (a form error),
# never a 5xx; a denied POST must change nothing (tests/security/builders.py: state()).
PORTAL_USER = rule(council=FORBIDDEN)  # municipal users (own organisation) and KS staff
MATRIX = {
    "home": ("get", PUBLIC, None),
    "healthz": ("get", PUBLIC, None),
    # «Mine oppgaver»: every signed-in user's own list (issue 19 §5)
    "my_tasks": ("get", ANY_SIGNED_IN, None),
    "accessibility": ("get", PUBLIC, None),
    # accounts
    "accounts:login": ("get", PUBLIC, None),
    "accounts:password_reset": ("get", PUBLIC, None),
    "accounts:password_reset_done": ("get", PUBLIC, None),
    "accounts:password_reset_complete": ("get", PUBLIC, None),
    "accounts:password_reset_confirm": ("get", PUBLIC, "password_reset_token"),
    "accounts:two_factor": ("get", ANY_SIGNED_IN, None),
    # the user's own notification settings and e-mail language (issue 19 §6)
    "accounts:notification_settings": ("get", ANY_SIGNED_IN, None),
    # OIDC login (issue 21): the refusal page, the invitation link and the privacy statement are
    # for anyone; start and callback answer 404 while no provider is configured (as in these
    # tests: tests/accounts/test_oidc_login.py runs them against a real provider).
    "accounts:oidc_refused": ("get", PUBLIC, None),
    "accounts:invitation": ("get", PUBLIC, "user_invitation_token"),
    "accounts:privacy": ("get", PUBLIC, None),
    "accounts:oidc_start_idporten": ("get", UNCONFIGURED, None),
    "accounts:oidc_callback_idporten": ("get", UNCONFIGURED, None),
    "accounts:oidc_start_entra": ("get", UNCONFIGURED, None),
    "accounts:oidc_callback_entra": ("get", UNCONFIGURED, None),
    # members
    "members:my_organisation": ("get", MUNICIPAL, None),
    "members:confirm_participation": ("post", MUNICIPAL, None),
    "members:staff_member_list": ("get", STAFF, None),
    "members:staff_member_detail": ("get", STAFF, "member_a"),
    "members:contribution_table_export": ("get", STAFF, "contribution_table"),
    "members:record_email_answer": ("post", STAFF, "email_answer_of_a"),
    "members:correspondence_download": ("get", STAFF, "correspondence_of_a"),
    "members:invitations_confirm": ("get", STAFF, None),
    "members:invitations_send": ("post", STAFF, None),
    "members:register_refresh_list": ("get", STAFF, None),
    "members:register_refresh_start": ("post", STAFF, None),
    "members:register_refresh_detail": ("get", STAFF, "register_refresh"),
    "members:register_refresh_apply": ("post", STAFF, "register_refresh"),
    "members:user_invitations": ("get", STAFF, None),
    "members:user_invitation_revoke": ("post", STAFF, "user_invitation"),
    # projects: proposals and attachments
    "projects:my_proposals": ("get", MUNICIPAL, None),
    # KS staff create a proposal with KS as the formal applicant (issue 16 §4).
    "projects:proposal_create": ("get", PORTAL_USER, None),
    "projects:proposal_detail": ("get", MUNICIPAL_OBJECT_OR_STAFF, "proposal"),
    "projects:proposal_edit": ("get", MUNICIPAL_OBJECT, "proposal"),
    "projects:attachment_upload": ("post", MUNICIPAL_OBJECT, "proposal"),
    "projects:coapplicant_confirm": ("post", MUNICIPAL_OBJECT, "proposal"),
    "projects:proposal_transition": ("post", MUNICIPAL_OBJECT_OR_STAFF, "proposal_submit"),
    "projects:snapshot_detail": ("get", MUNICIPAL_OBJECT_OR_STAFF, "snapshot"),
    "projects:attachment_download": ("get", MUNICIPAL_OBJECT_OR_STAFF, "attachment"),
    "projects:attachment_delete": ("post", MUNICIPAL_OBJECT, "attachment"),
    # projects: qualification (KS)
    "projects:staff_list": ("get", STAFF, None),
    "projects:staff_export": ("get", STAFF, None),
    "projects:qualification": ("get", STAFF, "proposal"),
    # projects: the council
    "projects:council_queue": ("get", COUNCIL_OR_STAFF, None),
    "projects:meeting_create": ("post", STAFF, None),
    "projects:agenda_add": ("post", STAFF, "meeting"),
    "projects:meeting_close": ("post", COUNCIL_OR_STAFF, "meeting"),
    # The meeting's sakskart/protokoll: KS and the council; applicants get the minutes as a
    # letter (invoicing:document_download, their own organisation's only).
    "projects:meeting_agenda_create": ("post", STAFF, "meeting"),
    "projects:meeting_document": ("get", COUNCIL_OR_STAFF, "meeting_document"),
    "projects:council_item": ("get", COUNCIL_OR_STAFF, "agenda_item"),
    "projects:decision": ("get", STAFF, "prioritised_proposal"),
    # projects: the portfolio
    # The council follows the portfolio read-only (issue 19 §4).
    "projects:portfolio": ("get", ANY_SIGNED_IN, None),
    "projects:project_detail": ("get", rule(municipal_b=NOT_FOUND), "project"),
    "projects:payment_attachment": (
        "get",
        rule(municipal_b=NOT_FOUND),
        "payment_request_attachment",
    ),
    # The grant: A's applicant accepts; B cannot learn it exists (issue 18).
    "projects:grant_detail": ("get", rule(municipal_b=NOT_FOUND), "grant"),
    # repayments: solutions are a catalogue for every municipal user; agreements are A's
    "repayments:solution_list": ("get", MUNICIPAL, None),
    "repayments:solution_detail": ("get", MUNICIPAL, "solution"),
    "repayments:access_request": ("post", MUNICIPAL, "solution"),
    "repayments:access_leave": ("post", MUNICIPAL_OBJECT, "agreement"),
    "repayments:staff_solution_list": ("get", STAFF, None),
    "repayments:staff_solution_create": ("get", STAFF, None),
    "repayments:staff_solution_detail": ("get", STAFF, "solution"),
    "repayments:staff_solution_edit": ("get", STAFF, "solution"),
    "repayments:staff_price_model": ("get", STAFF, "solution"),
    "repayments:staff_price_preview": ("get", STAFF, "solution"),
    "repayments:staff_publish": ("post", STAFF, "solution"),
    "repayments:staff_fdvu_allocate": ("post", STAFF, "solution"),
    "repayments:staff_fdvu_invoice": ("post", STAFF, "fdvu_period"),
    "repayments:staff_fee_invoice": ("post", STAFF, "agreement"),
    "repayments:staff_fee_refund": ("post", STAFF, "agreement"),
    "repayments:staff_recovery": ("get", STAFF, None),
    "repayments:staff_capital_repayment": ("get", STAFF, None),
    # invoicing
    "invoicing:my_invoices": ("get", PORTAL_USER, None),
    "invoicing:invoice_detail": ("get", MUNICIPAL_OBJECT_OR_STAFF, "invoice"),
    "invoicing:invoice_pdf": ("get", MUNICIPAL_OBJECT_OR_STAFF, "invoice"),
    "invoicing:invoice_ehf": ("get", MUNICIPAL_OBJECT_OR_STAFF, "invoice"),
    "invoicing:document_download": ("get", MUNICIPAL_OBJECT_OR_STAFF, "document"),
    "invoicing:payment_register": ("post", STAFF, "invoice"),
    "invoicing:invoice_credit": ("post", STAFF, "invoice"),
    "invoicing:staff_overview": ("get", STAFF, None),
    "invoicing:batch_start": ("post", STAFF, None),
    "invoicing:bank_import": ("post", STAFF, None),
    "invoicing:payment_resolve": ("post", STAFF, "payment"),
    "invoicing:job_detail": ("get", STAFF, "batch_job"),
    "invoicing:job_progress": ("get", STAFF, "batch_job"),
    "invoicing:job_resume": ("post", STAFF, "batch_job"),
    "invoicing:job_zip": ("get", STAFF, "batch_job"),
    "invoicing:letters": ("get", STAFF, None),
    "invoicing:letter_preview": ("get", STAFF, "letter_of_a"),
    # the fund overview (KS and the council), reports and forecasts (KS)
    "overview:benefits": ("get", COUNCIL_OR_STAFF, None),
    "overview:benefits_export": ("get", COUNCIL_OR_STAFF, "csv_format"),
    "overview:fund_overview": ("get", COUNCIL_OR_STAFF, None),
    "overview:overview_export": ("get", COUNCIL_OR_STAFF, "overview_table"),
    "overview:reports": ("get", STAFF, None),
    # Avstemming (its POST: tests/overview/test_reconciliation_page.py).
    "overview:reconciliation": ("get", STAFF, None),
    "overview:annual_report_pdf": ("get", STAFF, "annual_report"),
    "overview:kmd_report": ("get", STAFF, "csv_format"),
    "overview:scenario_list": ("get", STAFF, None),
    "overview:scenario_create": ("get", STAFF, None),
    "overview:scenario_compare": ("get", STAFF, None),
    "overview:scenario_compare_export": ("get", STAFF, "scenario_compare"),
    "overview:scenario_detail": ("get", STAFF, "scenario"),
    "overview:scenario_edit": ("get", STAFF, "scenario"),
    "overview:scenario_delete": ("post", STAFF, "scenario"),
    "overview:scenario_export": ("get", STAFF, "scenario_csv"),
    # the public transparency pages: open data, no login
    "public:transparency": ("get", PUBLIC, None),
    "public:csv": ("get", PUBLIC, "public_table"),
    "public:json": ("get", PUBLIC, None),
}

# Patterns that are not views of ours, or are tested elsewhere.
EXEMPT_PREFIXES = ("admin:", "set_language")
EXEMPT = {
    # Logging out is allowed for everyone (POST); tests/test_foundation.py covers it.
    "accounts:logout",
}

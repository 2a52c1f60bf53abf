"""Settings shared by every environment. Deploy-specific values are read from the environment
through django-environ; `.env.example` documents each variable."""

from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(str(env_file))

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
ROOT_URLCONF = "digifin.urls"
WSGI_APPLICATION = "digifin.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# ------------------------------------------------------------------------------
# Apps
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]
LOCAL_APPS = [
    "accounts",
    "members",
    "fund",
    "projects",
    "repayments",
    "invoicing",
    "overview",
    "digifin",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "digifin.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "digifin.middleware.NorwegianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: locks out after repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "overview.context_processors.reconciliation_banner",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database: SQLite is the embedded default; PostgreSQL in production and the test command.
# ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time, taken at the start of the transaction (Django 5.1+), and a wait
    # instead of "database is locked": a double click on SQLite waits for the first request and
    # then finds its one-time token (accounts/once.py), never a 500.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)

# ------------------------------------------------------------------------------
# Authentication
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ModelBackend",  # the user with its organisation, one query
    "accounts.oidc.OIDCBackend",  # ID-porten and Entra ID (only on their callback)
]
# Login throttling: 5 failed attempts for a username from one IP locks that pair for 15 minutes.
AXES_FAILURE_LIMIT = env.int("DIGIFIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("DIGIFIN_LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client's address (accounts/client_ip.py), also for the password reset throttle below:
# REMOTE_ADDR, or X-Forwarded-For only when REMOTE_ADDR is one of these reverse proxies
# (addresses or networks, comma-separated). Empty: X-Forwarded-For is never read.
DIGIFIN_TRUSTED_PROXIES = env.list("DIGIFIN_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
# Password reset throttle (accounts/throttling.py): e-mails per address and requests per client
# address in the last hour. Over a limit the user sees the same "if the address exists, we sent
# an e-mail" page and nothing is sent.
DIGIFIN_PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env.int(
    "DIGIFIN_PASSWORD_RESET_PER_ADDRESS_PER_HOUR", default=3
)
DIGIFIN_PASSWORD_RESET_PER_CLIENT_PER_HOUR = env.int(
    "DIGIFIN_PASSWORD_RESET_PER_CLIENT_PER_HOUR", default=20
)
# KS staff must confirm a TOTP code after the password (authenticator app) when this is on.
DIGIFIN_STAFF_REQUIRE_2FA = env.bool("DIGIFIN_STAFF_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "DigiFin (KS)"
# Setting up an authenticator shows its secret, so the session must first prove the account's
# e-mail address with a one-time code sent there (accounts/emailcodes.py): the code lives 10
# minutes, allows 5 tries, at most 5 codes an hour; the proof then holds 15 minutes.
DIGIFIN_EMAIL_CODE_MINUTES = 10
DIGIFIN_EMAIL_CODE_ATTEMPTS = 5
DIGIFIN_EMAIL_CODES_PER_HOUR = 5
DIGIFIN_ENROLMENT_MINUTES = 15
# Sessions end a fixed time after the login: a working day for KS staff, a little longer for
# everybody else (accounts/sessions.py; docs/decisions/accounts-sessions-and-throttling.md).
# SESSION_COOKIE_AGE covers a session before its login (e.g. a half-done password reset).
DIGIFIN_STAFF_SESSION_HOURS = env.float("DIGIFIN_STAFF_SESSION_HOURS", default=8)
DIGIFIN_SESSION_HOURS = env.float("DIGIFIN_SESSION_HOURS", default=12)
SESSION_COOKIE_AGE = int(DIGIFIN_SESSION_HOURS * 3600)
# ------------------------------------------------------------------------------
# Login with OpenID Connect (docs/oidc-setup.md, docs/decisions/accounts-oidc.md): ID-porten
# for municipal case officers, KS's Entra ID for KS staff. A provider is on when its issuer and
# client id are set; its endpoints come from the issuer's discovery document.
# ------------------------------------------------------------------------------
# Password login (the demo's users). Production may switch it off: only the providers remain.
DIGIFIN_PASSWORD_LOGIN = env.bool("DIGIFIN_PASSWORD_LOGIN", default=True)
# The key of the keyed hash (HMAC-SHA256) that matches a person's identifier (ID-porten's pid,
# a fødselsnummer) on the next login; separate from SECRET_KEY so that rotating one does not
# unbind every person. Only the hash is stored, never the identifier.
DIGIFIN_IDENTITY_HASH_KEY = env("DIGIFIN_IDENTITY_HASH_KEY", default="")
# How long an invitation link lasts unless KS chooses otherwise (days).
DIGIFIN_INVITATION_DAYS = env.int("DIGIFIN_INVITATION_DAYS", default=14)
DIGIFIN_OIDC_TIMEOUT = env.float("DIGIFIN_OIDC_TIMEOUT", default=10)


# Each provider: its issuer (discovery at <issuer>/.well-known/openid-configuration), the
# client registered there, and a JWKS address only where discovery's is not to be used.
_OIDC_PROVIDERS = {
    "idporten": {
        "issuer": env("DIGIFIN_IDPORTEN_ISSUER", default=""),
        "client_id": env("DIGIFIN_IDPORTEN_CLIENT_ID", default=""),
        "client_secret": env("DIGIFIN_IDPORTEN_CLIENT_SECRET", default=""),
        "jwks_uri": env("DIGIFIN_IDPORTEN_JWKS_URI", default=""),
        "scopes": "openid profile",
        # Digdir's levels of assurance; substantial (MinID, BankID…) admits high as well.
        "acr_values": env("DIGIFIN_IDPORTEN_ACR_VALUES", default="idporten-loa-substantial"),
    },
    "entra": {
        "issuer": env("DIGIFIN_ENTRA_ISSUER", default=""),
        "client_id": env("DIGIFIN_ENTRA_CLIENT_ID", default=""),
        "client_secret": env("DIGIFIN_ENTRA_CLIENT_SECRET", default=""),
        "jwks_uri": env("DIGIFIN_ENTRA_JWKS_URI", default=""),
        "scopes": "openid profile email",
        # The Entra group (object id) whose members are KS staff in DigiFin.
        "staff_group": env("DIGIFIN_ENTRA_STAFF_GROUP_ID", default=""),
    },
}
# A provider is on when its issuer and client id are set.
DIGIFIN_OIDC_PROVIDERS = {
    key: {**config, "issuer": config["issuer"].rstrip("/")}
    for key, config in _OIDC_PROVIDERS.items()
    if config["issuer"] and config["client_id"]
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# ------------------------------------------------------------------------------
# Internationalisation: Norwegian bokmål first, English as the translation.
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("nn", _("Norsk nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["digifin.formats"]
CSRF_FAILURE_VIEW = "digifin.errors.csrf_failure"

# ------------------------------------------------------------------------------
# Static and uploaded files. Uploads live outside the web root and are served only
# through views that check permission (MEDIA_URL is never routed).
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("DIGIFIN_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12_582_912

# ------------------------------------------------------------------------------
# E-mail
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="DigiFin <digiprosjekter@ks.no>")
# The site's address for the absolute links in notification e-mails (invoicing/notify.py).
DIGIFIN_SITE_URL = env("DIGIFIN_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A council member is reminded of a meeting this many days before it (non-essential).
DIGIFIN_MEETING_REMINDER_DAYS = 7

# ------------------------------------------------------------------------------
# Enhetsregisteret (Brønnøysundregistrene's open API): members' addresses, organisasjonsform,
# målform (members/enhetsregisteret.py). Seconds per request; retries after a timeout or 5xx.
# ------------------------------------------------------------------------------
ENHETSREGISTERET_URL = env(
    "ENHETSREGISTERET_URL", default="https://data.brreg.no/enhetsregisteret/api"
)
ENHETSREGISTERET_TIMEOUT = env.float("ENHETSREGISTERET_TIMEOUT", default=10.0)
ENHETSREGISTERET_RETRIES = env.int("ENHETSREGISTERET_RETRIES", default=2)
ENHETSREGISTERET_BACKOFF = env.float("ENHETSREGISTERET_BACKOFF", default=0.5)
# Where users are told to write: error pages, the accessibility statement (feedback).
DIGIFIN_CONTACT_EMAIL = env("DIGIFIN_CONTACT_EMAIL", default="digiprosjekter@ks.no")

# ------------------------------------------------------------------------------
# Celery: without a broker URL tasks run eagerly in-process (the embedded default).
# ------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# No task's return value is read (progress and outcomes live in the database). Ignoring results
# also keeps publishing independent of the result store: after a Redis outage the Redis result
# backend's subscriber would otherwise refuse every publish until the process restarts.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when publishing to a broker that is down (the request must not hang); the pending
# work is swept up later (core/tasking.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# A batch job with pending items and no progress for this long is resumed by the sweep.
DIGIFIN_BATCH_STALE_SECONDS = env.int("DIGIFIN_BATCH_STALE_SECONDS", default=120)
# Periodic tasks, all of them here.
CELERY_BEAT_SCHEDULE: dict = {
    # Notifications whose publishing failed (broker down) are published again.
    "projects-sweep-notifications": {
        "task": "projects.tasks.sweep_pending_notifications",
        "schedule": 60.0,
    },
    # Batch jobs whose tasks were lost (Redis lost its queues, a publish failed, a task failed on
    # a restarting database) are resumed (invoicing.batch.jobs_sweep).
    "invoicing-sweep-batches": {
        "task": "invoicing.tasks.batch_sweep",
        "schedule": 60.0,
    },
    # Reminders once a day (at most one per invoice and interval: services.reminder_create).
    "invoicing-reminders": {
        "task": "invoicing.tasks.reminders_generate",
        "schedule": crontab(hour=6, minute=15),
    },
    # Council members are reminded of meetings in the coming week (projects/notifications.py).
    "projects-meeting-reminders": {
        "task": "projects.tasks.remind_meetings",
        "schedule": crontab(hour=7, minute=0),
    },
    # Benefit reports due (issue 18 §5): a reminder on 15 November and 15 January, once per
    # project, year and round (projects.tasks.benefit_report_reminders).
    "projects-benefit-report-reminders": {
        "task": "projects.tasks.benefit_report_reminders",
        "schedule": crontab(minute=0, hour=7, day_of_month=15, month_of_year="1,11"),
    },
    # Grants: a reminder before the acceptance deadline, and lapse after it (projects.tasks).
    "projects-grant-deadlines": {
        "task": "projects.tasks.grant_deadlines",
        "schedule": crontab(hour=6, minute=30),
    },
    # The reconciliation every night (overview/reconciliation.py; a failure shows KS a banner).
    "overview-reconcile": {
        "task": "overview.tasks.reconcile_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # Consumed one-time form tokens older than their signature's 7 days (accounts/once.py).
    "accounts-purge-once-tokens": {
        "task": "accounts.tasks.once_tokens_purge",
        "schedule": crontab(hour=3, minute=10),
    },
}

# ------------------------------------------------------------------------------
# Security (hardened further in production.py)
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# ------------------------------------------------------------------------------
# DigiFin
# ------------------------------------------------------------------------------
# Where ../shared/data lives is irrelevant at run time: reference data is copied into
# members/data/ (credit: Statistisk sentralbyrå, Kartverket).
DIGIFIN_FUND_NAME = "DigiFin"
# Real discount rate for net present value (Finansdepartementets rundskriv R-109: 4 % real).
DIGIFIN_DISCOUNT_RATE = Decimal(env.str("DIGIFIN_DISCOUNT_RATE", default="0.04"))
# The grant (tilsagn): the applicant accepts within this many days of KS's decision (30 days, as
# in regionalforvaltning.no's common practice; docs/decisions/projects-grant-lifecycle.md), and is
# reminded this many days before the deadline.
DIGIFIN_GRANT_ACCEPT_DAYS = env.int("DIGIFIN_GRANT_ACCEPT_DAYS", default=30)
DIGIFIN_GRANT_REMINDER_DAYS = env.int("DIGIFIN_GRANT_REMINDER_DAYS", default=7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs seven progress lines per document at INFO: in a worker rendering
        # hundreds of invoices that is noise and time.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

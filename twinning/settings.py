"""Settings read from the environment; see the README's settings table."""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("TWINNING_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (VAR_DIR / "secret_key").is_file():
    # The key `make demo` made once: commands run beside the demo (`twinning token create ...`) sign with the same
    # key as the server without anyone exporting it.
    SECRET_KEY = (VAR_DIR / "secret_key").read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a fixed key so sessions survive restarts of `make demo`.
    SECRET_KEY = "dev-insecure-twinning-key-change-me-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Before django.contrib.admin, so our registration/ templates (sign in, password reset) win over the admin's.
    "twinning.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "axes",
    "twinning.core",
    "twinning.audit",
    "twinning.directory",
    "twinning.partnerships",
    "twinning.matching",
    "twinning.planning",
    "twinning.monitoring",
    "twinning.exchanges",
    "twinning.contributions",
    "twinning.knowledge",
    "twinning.sustainability",
    "twinning.reports",
    "twinning.interop",
    # Above every app: the demo loader writes through all of them.
    "twinning.demo",
]

MIDDLEWARE = [
    "twinning.core.middleware.RequestSizeLimitMiddleware",
    "twinning.core.middleware.ChangeStampMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the user is known: their profile's language wins over the cookie and the browser's.
    "twinning.accounts.middleware.ProfileLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Inside the two above: an htmx answer carries the messages queued while answering it.
    "twinning.core.middleware.HtmxMessagesMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The app loads everything from itself and writes no inline script or style (small behaviours live in
# twinning/site.js), so the policy allows only its own origin. data: images are the icons in the API docs'
# stylesheet. A page that needs more must change, not this policy.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- sign-in throttling (django-axes) ----------------------------------------------------------------
# Failed sign-ins are counted per account and per client address (either reaching the limit locks); a locked
# account or address is refused, even with the right password, until the cool-off ends or an administrator
# unlocks it (admin "Access attempts", or `twinning axes_reset_username EMAIL` / `axes_reset_ip ADDRESS`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("SIGN_IN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "twinning.accounts.views.sign_in_locked_out"
# The client address: REMOTE_ADDR, unless NUM_PROXIES trusted proxies in front add X-Forwarded-For (a header
# a client could otherwise forge to dodge the limits).
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))
NINJA_NUM_PROXIES = NUM_PROXIES
# API rate limits (twinning/core/throttling.py): every call per client address and per token or session, and
# failed token sign-ins per address, so guessed tokens meet a limit long before they could find one.
API_THROTTLE_RATES = {
    "address": os.environ.get("API_RATE_PER_ADDRESS", "1200/min"),
    "token": os.environ.get("API_RATE_PER_TOKEN", "600/min"),
    "failed_token": os.environ.get("API_FAILED_TOKENS_PER_ADDRESS", "20/h"),
}
if NUM_PROXIES:
    AXES_IPWARE_PROXY_COUNT = NUM_PROXIES
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

ROOT_URLCONF = "twinning.urls"
WSGI_APPLICATION = "twinning.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-level pages (the home page), which draw on every app.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                # The navigation's "My work" count, computed only when a page shows it.
                "twinning.work.my_work",
                "twinning.accounts.context_processors.contacts",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'twinning.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The default database lives in var/; create it so a fresh clone works with no set-up.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the task worker write while web requests read. SQLite still takes one writer at a time: a writer
    # that finds the database locked waits up to `timeout` seconds for it (Python's default, 5 s, is too short on
    # a loaded machine: the task worker's BEGIN IMMEDIATE gave up with "database is locked" and the worker died
    # while web requests wrote). 20 s stays under gunicorn's 30 s request timeout.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Shared by every web process (rate limits must hold across them, cached figures must be the same in each): in
# the database by default, with no set-up (the table is made by the migration core.0001_cache_table, Django's
# createcachetable); in Redis when REDIS_URL is set, which takes the rate limits' writes off the database.
CACHES = {
    "default": (
        {"BACKEND": "twinning.core.cache.ReusedClientRedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "twinning_cache"}
    )
}
# With Redis, sessions are read from it and written through to the database (nothing is lost when Redis restarts):
# one database query less on every signed-in request. Without it a cached session would cost two.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if os.environ.get("REDIS_URL")
    else "django.contrib.sessions.backends.db"
)

# How long the navigation's "My work" counts may be read back from the shared cache (0: computed on every page).
# Every change through the services renews the audit change stamp they are cached under at once, so this bounds
# only how long a change made outside them (the admin) can go unseen.
MY_WORK_CACHE_SECONDS = 600

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ru", _("Russian")),
    ("pt", _("Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Decimal sign and thousands separator from CLDR, as core.numbers reads them (twinning/core/formats).
FORMAT_MODULE_PATH = ["twinning.core.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

if DEBUG:
    # Development serves static files straight from the apps; production serves what collectstatic gathered.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

# Uploads are hostile: keep them small and never let Django hold big bodies in memory.
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
# The largest IATI activity file an import reads (checked before parsing).
IATI_IMPORT_MAX_BYTES = int(os.environ.get("IATI_IMPORT_MAX_BYTES", str(MAX_UPLOAD_BYTES)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest DHIS2 file an import reads (an upload is also capped by MAX_UPLOAD_BYTES; a fetch from a DHIS2
# server only by this): a million values in JSON are about 150 MB.
DHIS2_IMPORT_MAX_BYTES = int(os.environ.get("DHIS2_IMPORT_MAX_BYTES", str(512 * 1024 * 1024)))
# A DHIS2 server's address may resolve to a loopback or private network address only when this is on (a
# ministry's in-house DHIS2 on the organisation's own network); link-local addresses (the cloud's metadata
# service) never may. See twinning.interop.dhis2.addresses.
DHIS2_ALLOW_PRIVATE_ADDRESSES = env_bool("DHIS2_ALLOW_PRIVATE_ADDRESSES", False)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# EMAIL: "console" prints mail (development default), "file" writes it under var/mail, "smtp" sends it.
EMAIL = os.environ.get("EMAIL", "console" if DEBUG else "smtp")
_MAILER_BACKENDS = {
    "console": ("django.core.mail.backends.console.EmailBackend", {}),
    "file": ("django.core.mail.backends.filebased.EmailBackend", {"file_path": str(VAR_DIR / "mail")}),
    "smtp": (
        "django.core.mail.backends.smtp.EmailBackend",
        {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        },
    ),
}
if EMAIL not in _MAILER_BACKENDS:
    raise ImproperlyConfigured(f"EMAIL must be one of {sorted(_MAILER_BACKENDS)}, not {EMAIL!r}.")
MAILERS = {"default": {"BACKEND": _MAILER_BACKENDS[EMAIL][0], "OPTIONS": _MAILER_BACKENDS[EMAIL][1]}}
# The address people reach this installation at, for links in emails (invitations, notifications).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "twinning@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # HTTPS=false is for trying the production set-up on one's own machine over plain HTTP (`make demo`): no
    # redirect to HTTPS, cookies not marked Secure, no HSTS. Never on a server people reach over a network.
    HTTPS = env_bool("HTTPS", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = HTTPS
    CSRF_COOKIE_SECURE = HTTPS
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
    SECURE_HSTS_PRELOAD = HTTPS

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_403_traceback": {"()": "twinning.core.log_filters.PermissionDeniedWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # A 403 is logged as one warning line, without the traceback of the PermissionDenied behind it.
    "loggers": {
        "django.request": {"filters": ["no_403_traceback"]},
        # WeasyPrint logs every layout step of every PDF report at INFO; its warnings are what matters.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

PAGE_SIZE = 25
API_PAGE_SIZE_MAX = 200

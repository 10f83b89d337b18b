"""One settings module, configured only by environment variables.

Defaults run the whole system on one laptop (SQLite under var/, Redis on localhost).
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and REDIS_URL;
with DEBUG off the secure defaults below apply and `manage.py check --deploy` is clean.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.map_tiles import tile_origin
from config.secret_key import production_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# With DEBUG off a missing, short or well-known key stops the process (config/secret_key.py).
SECRET_KEY = production_secret_key(os.environ.get("SECRET_KEY", ""), debug=DEBUG)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "streets",
    "appeals",
    "dispatch",
]
if env_bool("BENCH_CEILING", False):
    INSTALLED_APPS.append("bench.ceiling")  # the benchmark's bare one-insert view (bench/ceiling)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "streets.logins.remember_device",  # the device cookie that exempts a browser from sign-in lockouts
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so its 400 gets every header above; still before any view hook (the CSRF check) reads the body.
    "config.middleware.UndecodableFormMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite under var/ by default; DATABASE_URL=postgres://... in production and CI.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not shared memory, so the test worker thread and live server lock properly.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every password sign-in is limited per address, per account and per pair (streets/logins.py).
AUTHENTICATION_BACKENDS = ["streets.logins.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "appeals:home"

# Internationalisation: Chinese first, English on request; residents choose.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Redis: the Celery broker and the shared cache.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "config.cache.ReusingRedisCache",  # Django's, reusing its Redis clients
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "appeals"),
        # A Redis that is away or hung must fail a cache call in a second, never hang a request.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

CELERY_BROKER_URL = REDIS_URL
if REDIS_URL.split("://", 1)[0] in ("redis", "rediss"):
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"  # frees prefetch slots on failed acks (see there)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a resident's request when Redis is away: fail fast, the sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# socket_timeout: a hung Redis (paused, half-open connection) fails a publish within seconds
# instead of blocking the request forever. visibility_timeout: an unacknowledged message (its
# worker was killed) is delivered again after 10 minutes; the sweep routes its appeal long before.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600, "socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# How often the rankings' rollups are recounted from the dispatch and callback tables.
RANKINGS_REFRESH_MINUTES = int(os.environ.get("RANKINGS_REFRESH_MINUTES", "5"))
# How often beat runs the unrouted sweep (the fault tests shorten it; production keeps a minute).
ROUTING_SWEEP_SECONDS = int(os.environ.get("ROUTING_SWEEP_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    "route-unrouted-appeals": {
        "task": "dispatch.tasks.sweep_unrouted",
        "schedule": timedelta(seconds=ROUTING_SWEEP_SECONDS),
        # Sweeps queued while no worker ran are stale: drop them instead of running a pile.
        "options": {"expires": ROUTING_SWEEP_SECONDS},
    },
    "reencode-pending-photos": {
        "task": "dispatch.tasks.sweep_pending_photos",
        "schedule": timedelta(seconds=ROUTING_SWEEP_SECONDS),
        "options": {"expires": ROUTING_SWEEP_SECONDS},
    },
    "send-lost-updates": {
        "task": "dispatch.tasks.sweep_updates",
        "schedule": timedelta(seconds=ROUTING_SWEEP_SECONDS),
        "options": {"expires": ROUTING_SWEEP_SECONDS},
    },
    "sweep-deadlines": {
        "task": "dispatch.tasks.sweep_deadlines",
        "schedule": timedelta(minutes=1),
    },
    "refresh-rankings": {
        "task": "dispatch.tasks.refresh_rankings",
        "schedule": timedelta(minutes=RANKINGS_REFRESH_MINUTES),
    },
    "recount-provisional-deadlines": {
        "task": "dispatch.tasks.recount_provisional_deadlines",
        "schedule": crontab(hour=3, minute=17),
    },
    "retrain-classifier": {
        "task": "dispatch.tasks.retrain_classifier",
        "schedule": timedelta(hours=float(os.environ.get("CLASSIFIER_RETRAIN_HOURS", "24"))),
        "options": {"expires": 3600},
    },
}

# How long an appeal may sit unrouted before the sweep routes it itself.
ROUTING_GRACE_SECONDS = int(os.environ.get("ROUTING_GRACE_SECONDS", "60"))
# The most appeals one routing task takes in one transaction (see dispatch.routing.route.route_waiting).
ROUTING_BATCH_SIZE = int(os.environ.get("ROUTING_BATCH_SIZE", "200"))
# Smart dispatch (dispatch/routing/decide.py). An appeal without a category is dispatched without an
# operator when the classifier's probability that it belongs to one handling unit reaches this.
ROUTING_AUTO_CONFIDENCE = float(os.environ.get("ROUTING_AUTO_CONFIDENCE", "0.5"))
# A resident's category goes to the operators instead when the classifier is at least this sure that
# another unit handles the matter.
ROUTING_DISAGREE_CONFIDENCE = float(os.environ.get("ROUTING_DISAGREE_CONFIDENCE", "0.9"))
# A street matter whose place names only a district goes to that district to coordinate (the
# regulation's Art. 12) instead of the operators. `make run` turns it on for the demo.
ROUTING_TO_DISTRICT = env_bool("ROUTING_TO_DISTRICT", False)
# Such an appeal without a category goes to its district only when the classifier is at least this sure
# of the unit (the district must still find the street; an unsure category too is the operators' work).
ROUTING_DISTRICT_CONFIDENCE = float(os.environ.get("ROUTING_DISTRICT_CONFIDENCE", "0.8"))

# The classifier (dispatch/routing/learning.py). Retrained every CLASSIFIER_RETRAIN_HOURS when
# operators have labelled new examples; this share (percent) of the shipped training set is held
# out to compare versions; a worker looks for a newly promoted version at most this often.
CLASSIFIER_HOLDOUT_PERCENT = int(os.environ.get("CLASSIFIER_HOLDOUT_PERCENT", "10"))
CLASSIFIER_RELOAD_SECONDS = float(os.environ.get("CLASSIFIER_RELOAD_SECONDS", "10"))
# The models of this many newest versions are kept (to go back to); older versions keep their record.
CLASSIFIER_KEEP_MODELS = int(os.environ.get("CLASSIFIER_KEEP_MODELS", "10"))

# Deadlines (see dispatch/deadlines/time_limits.py for the limits themselves, editable in the admin).
# Warn when only this share of the time allowed is left.
DEADLINE_WARNING_SHARE = float(os.environ.get("DEADLINE_WARNING_SHARE", "0.2"))
# A unit may ask to return a misrouted ticket within this many hours of dispatch.
RETURN_WINDOW_HOURS = int(os.environ.get("RETURN_WINDOW_HOURS", "24"))
# An extension may move the resolve deadline by at most this many days.
EXTENSION_MAX_DAYS = int(os.environ.get("EXTENSION_MAX_DAYS", "60"))
# A unit's head answers a supervision order within this many working days.
SUPERVISION_REPLY_WORKING_DAYS = int(os.environ.get("SUPERVISION_REPLY_WORKING_DAYS", "2"))

# The callback survey: how long the resident may answer, and how the invitation is sent.
CALLBACK_WINDOW_DAYS = int(os.environ.get("CALLBACK_WINDOW_DAYS", "7"))
# Phone callbacks the resident does not answer: called again after CALLBACK_RETRY_HOURS; after
# CALLBACK_CALL_TRIES unanswered calls the survey closes unrated.
CALLBACK_CALL_TRIES = int(os.environ.get("CALLBACK_CALL_TRIES", "3"))
CALLBACK_RETRY_HOURS = int(os.environ.get("CALLBACK_RETRY_HOURS", "2"))
NOTIFICATION_BACKEND = os.environ.get("NOTIFICATION_BACKEND", "appeals.notifications.EmailBackend")
# Receipts, step updates and sign-in codes, per channel (appeals/notifications.py); empty: channel off.
# SMS needs a gateway (a subclass of appeals.notifications.SmsBackend): off by default in production.
NOTIFICATION_SMS_BACKEND = os.environ.get(
    "NOTIFICATION_SMS_BACKEND", "appeals.notifications.ConsoleBackend" if DEBUG else ""
)
# How long a "My appeals" sign-in code works (appeals/sign_in.py).
SIGN_IN_CODE_MINUTES = int(os.environ.get("SIGN_IN_CODE_MINUTES", "10"))
NOTIFICATION_EMAIL_BACKEND = os.environ.get("NOTIFICATION_EMAIL_BACKEND", "appeals.notifications.EmailBackend")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "12345@localhost")

# Intake limits.
APPEAL_TEXT_MAX_LENGTH = 5000
APPEAL_MAX_PHOTOS = 5
APPEAL_PHOTO_MAX_BYTES = int(os.environ.get("APPEAL_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
# Decoded size: refuses decompression bombs before their pixels are read.
APPEAL_PHOTO_MAX_PIXELS = int(os.environ.get("APPEAL_PHOTO_MAX_PIXELS", str(50_000_000)))
# Photos are re-encoded (metadata dropped) and scaled down to fit this many pixels a side.
APPEAL_PHOTO_MAX_SIDE = int(os.environ.get("APPEAL_PHOTO_MAX_SIDE", "4096"))
# A request's body apart from its files (form fields, JSON): an appeal's fields take a few KB.
# Files are bounded by APPEAL_MAX_PHOTOS x APPEAL_PHOTO_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Decoding photos is intake's costly step: all photos of one request together (from their headers,
# before anything is decoded) may hold at most this many pixels.
APPEAL_PHOTOS_MAX_TOTAL_PIXELS = int(os.environ.get("APPEAL_PHOTOS_MAX_TOTAL_PIXELS", str(60_000_000)))
# The same appeal sent again from the same device (or by the same operator for the same caller)
# within this window is folded into the first one (a double click) instead of becoming a second one.
APPEAL_FOLD_WINDOW_SECONDS = int(os.environ.get("APPEAL_FOLD_WINDOW_SECONDS", "600"))

# The client's address: REMOTE_ADDR, unless a trusted proxy in front of us writes it into a header
# (e.g. X-Forwarded-For or X-Real-IP; its last entry is used). Never set it without such a proxy:
# clients could then choose their own address and escape the rate limits.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only: the browsable API's inline scripts would need the content security policy relaxed.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON nested deeper than a few levels is refused before it is parsed (see config/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["config.throttling.AnonThrottle", "config.throttling.UserThrottle"],
    # Rate limits (requests/period; period s, m, h or d), counted in Redis through the cache.
    # The web form and tracking page share the intake and tracking counters with the API.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("RATE_LIMIT_ANON", "300/hour"),  # any anonymous API call, per address
        "user": os.environ.get("RATE_LIMIT_USER", "3000/hour"),  # any signed-in API call, per user
        "intake": os.environ.get("RATE_LIMIT_INTAKE", "30/hour"),  # appeals filed, per address
        # appeals an operator files for callers, per operator
        "intake_operator": os.environ.get("RATE_LIMIT_INTAKE_OPERATOR", "300/hour"),
        # submissions refused for bad input, per address (per operator for operators)
        "intake_invalid": os.environ.get("RATE_LIMIT_INTAKE_INVALID", "100/hour"),
        "tracking": os.environ.get("RATE_LIMIT_TRACKING", "120/hour"),  # tracking lookups, per address
        # live suggestions while an appeal is typed, per address (per user when signed in)
        "suggestions": os.environ.get("RATE_LIMIT_SUGGESTIONS", "600/hour"),
        # Failed lookups (wrong number or code): per address, and per tracking number from anywhere.
        "tracking_failures": os.environ.get("RATE_LIMIT_TRACKING_FAILURES", "20/hour"),
        "tracking_failures_number": os.environ.get("RATE_LIMIT_TRACKING_FAILURES_NUMBER", "10/hour"),
        # Failed sign-ins (streets/logins.py; "5/15m" is 5 in 15 minutes): one account from one
        # address, any account from one address, one account from any address (a short window).
        "login_failures_pair": os.environ.get("RATE_LIMIT_LOGIN_FAILURES_PAIR", "5/15m"),
        "login_failures_address": os.environ.get("RATE_LIMIT_LOGIN_FAILURES_ADDRESS", "30/hour"),
        "login_failures_account": os.environ.get("RATE_LIMIT_LOGIN_FAILURES_ACCOUNT", "20/5m"),
        # The resident's map (where a pin falls, places by name, nearby appeals), per address.
        "map": os.environ.get("RATE_LIMIT_MAP", "600/hour"),
        # Following an open appeal instead of filing ("me too"), per address.
        "follow": os.environ.get("RATE_LIMIT_FOLLOW", "30/hour"),
        # "My appeals" sign-in codes: sent per phone and per address, wrong codes per phone and per address.
        "my_codes_phone": os.environ.get("RATE_LIMIT_MY_CODES_PHONE", "5/hour"),
        "my_codes_address": os.environ.get("RATE_LIMIT_MY_CODES_ADDRESS", "20/hour"),
        "my_code_failures_phone": os.environ.get("RATE_LIMIT_MY_CODE_FAILURES_PHONE", "5/15m"),
        "my_code_failures_address": os.environ.get("RATE_LIMIT_MY_CODE_FAILURES_ADDRESS", "30/hour"),
        # Open311 reads without an API key, per address (a key's reads count under its own limit).
        "open311": os.environ.get("RATE_LIMIT_OPEN311", "300/hour"),
        # knowledge-base searches per address: the forms' suggestions follow what is typed
        "knowledge_search": os.environ.get("RATE_LIMIT_KNOWLEDGE_SEARCH", "1200/hour"),
    },
    "EXCEPTION_HANDLER": "config.throttling.api_exception_handler",
}

# OpenAPI 3 schema of /api/v1/ at /api/schema/, interactive docs at /api/docs/ (assets served locally).
SPECTACULAR_SETTINGS = {
    "TITLE": "12345 Citizen Appeals API",
    "DESCRIPTION": (
        "The project's own REST API. Residents and third-party apps file and track appeals; officers "
        "and operators work their queues. Authentication: the console session (with its CSRF token), "
        "or `Authorization: Token <key>` for scripts. Errors: 400 with a field-keyed body, 403/404/409 "
        "with a `detail` message. The Open311 GeoReport v2 server at /open311/ is documented by its "
        "own standard."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    # Several models have a "reason" or "state"; give each choice set its own stable name.
    "ENUM_NAME_OVERRIDES": {
        "DispatchStateEnum": "dispatch.models.Dispatch.State",
        "DecisionEnum": "dispatch.models.decisions.Decision",
        "SupervisionOrderStateEnum": "dispatch.models.SupervisionOrder.State",
        "ReturnReasonEnum": "dispatch.models.ReturnRequest.Reason",
        "SupervisionReasonEnum": "dispatch.models.SupervisionOrder.Reason",
        "RejectionReasonEnum": "appeals.models.Appeal.RejectionReason",
    },
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "APPEND_COMPONENTS": {
        "schemas": {
            "ValidationError": {
                "type": "object",
                "description": (
                    "Invalid input: messages keyed by the field at fault (`non_field_errors` for the whole "
                    "request, `detail` for a body that could not be parsed), in the request's language."
                ),
                "additionalProperties": {
                    "anyOf": [
                        {"type": "string"},
                        {"type": "array", "items": {"type": "string"}},
                        {"type": "object", "additionalProperties": True},
                    ]
                },
            },
        }
    },
}

# Open311 GeoReport v2 (/open311/): what the discovery document tells third-party developers.
OPEN311_JURISDICTION_ID = os.environ.get("OPEN311_JURISDICTION_ID", "")
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "")
OPEN311_KEY_SERVICE = os.environ.get("OPEN311_KEY_SERVICE", "")
OPEN311_DEFAULT_RATE = os.environ.get("OPEN311_DEFAULT_RATE", "60/min")
# How long a page of GET requests is served from the cache before it is read again.
OPEN311_CACHE_SECONDS = int(os.environ.get("OPEN311_CACHE_SECONDS", "60"))

# The resident's map. Without a tile server (the default) it draws the city's own district and
# street boundaries; MAP_TILE_URL names one (e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png),
# and the content security policy then allows images from exactly that host.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
# "Is this already reported?": how far from a pin an open appeal of the same category is offered
# (a category's own radius, set in the admin, comes first).
NEARBY_RADIUS_METERS = int(os.environ.get("NEARBY_RADIUS_METERS", "200"))

# Security: strict when DEBUG is off (production); HTTPS is assumed behind a proxy.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content security policy (django-csp): our own scripts, styles and images only, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if MAP_TILE_URL:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(tile_origin(MAP_TILE_URL))
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Every handler drops secrets from URLs (?api_key=, ?code=) before writing (config/log_redaction.py),
# including the development server's request lines (Django's own "django.server" handler, redefined).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "config.log_redaction.RedactSecrets"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                          "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                          "filters": ["redact_secrets"]},
    },
    "loggers": {"django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

"""Django settings, all from environment variables (see README "Configuration").

With nothing set the project runs on a SQLite file with Celery in eager mode, so a newcomer
needs no services. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and
CELERY_BROKER_URL; `manage.py check --deploy` is then clean.
"""
from pathlib import Path

import dj_database_url

from abm_platform.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)
_DEV_SECRET = "dev-insecure-secret-key-change-me-dev-insecure-secret-key-change-me"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfiguredEnv("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfiguredEnv("ALLOWED_HOSTS must list the site's host names when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "abm_platform.apps.AbmAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    # Our apps, in layer order (DESIGN.md §3.1).
    "abm_platform.apps.AbmPlatformConfig",
    "accounts.apps.AccountsConfig",
    "contacts.apps.ContactsConfig",
    "insights.apps.InsightsConfig",
    "scoring.apps.ScoringConfig",
    "campaigns.apps.CampaignsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "abm_platform.tenancy.middleware.CurrentWorkspaceMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "abm_platform.urls"
WSGI_APPLICATION = "abm_platform.wsgi.application"
AUTH_USER_MODEL = "abm_platform.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "abm_platform.ui.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE columns) are PostgreSQL's; SQLite builds the same index on its key
# columns only, which is all the demo needs (insights.signals.models.EngagementEvent).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Cache (throttling, rate counters). Redis when configured, else process memory.
_CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
    if _CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- E-mail
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if env_str("EMAIL_HOST") else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ABM Platform <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where recipients reach this deployment: unsubscribe, open and click links in e-mails.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://localhost:8000").rstrip("/")
# Webhook URLs resolving to private or loopback addresses are refused unless this is set
# (an on-premises tool on 10.x needs it).
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False)

# --- Celery. No broker configured → run tasks in-process (eager) with a harmless broker,
# never Celery's default amqp://localhost (a RabbitMQ may be listening there).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Defaults that beat installs into the database at start; admins see and change them in the
# admin (Periodic tasks). Per-workspace schedules (signal refresh) are created by their apps.
CELERY_BEAT_SCHEDULE = {
    "fail-abandoned-jobs": {"task": "abm_platform.jobs_fail_abandoned", "schedule": 600.0},
    "purge-old-import-uploads": {"task": "accounts.import_files_purge", "schedule": 86400.0},
    # Checks hourly which workspaces' refresh is due (every 14 days by default, per workspace);
    # each due refresh runs as a job and then queues the score recompute.
    "refresh-due-signals": {"task": "insights.refresh_due_workspaces", "schedule": 3600.0},
    # Campaign delivery: triggers, progress checks, planning and senders of every workspace with a
    # campaign in pilot or active status (campaigns/tasks.py).
    "campaigns-plan-and-send": {"task": "campaigns.plan_and_send_all", "schedule": 300.0},
    "deliver-due-webhooks": {"task": "campaigns.webhooks_deliver_all", "schedule": 60.0},
}
# Campaign senders: parallel send_due tasks per workspace and tick, touches per batch, seconds
# before a sender queues its own continuation.
CAMPAIGNS_SEND_WORKERS = env_int("CAMPAIGNS_SEND_WORKERS", 2)
CAMPAIGNS_SEND_BATCH = env_int("CAMPAIGNS_SEND_BATCH", 200)
CAMPAIGNS_SEND_SECONDS = env_int("CAMPAIGNS_SEND_SECONDS", 120)
# Extra Celery tasks a score recompute sends so other workers share its chunks (0 = the job's
# own worker does every chunk). Ignored in eager mode.
SCORING_HELPER_TASKS = env_int("SCORING_HELPER_TASKS", 1)
CELERY_TIMEZONE = TIME_ZONE

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "abm_platform.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["abm_platform.api.permissions.WorkspaceRolePermission"],
    "DEFAULT_PAGINATION_CLASS": "abm_platform.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["abm_platform.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env_str("API_KEY_THROTTLE_RATE", "600/min")},
    "EXCEPTION_HANDLER": "abm_platform.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ABM Platform API",
    "DESCRIPTION": "REST API for CRM integrations. Authenticate with `Authorization: Api-Key <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "Authorization",
                           "description": "`Api-Key <key>`"},
        }
    },
    "SECURITY": [{"ApiKeyAuth": []}],
    # One name per shared choice set (several fields use the same choices).
    "ENUM_NAME_OVERRIDES": {
        "ConsentStatusEnum": "contacts.models.contacts.ConsentStatus",
        "LifecycleStageEnum": "contacts.models.contacts.LifecycleStage",
        "EngagementTypeEnum": "insights.signals.models.EngagementType",
        "TriggerTypeEnum": "insights.signals.models.TriggerType",
        "SignalKindEnum": "insights.signals.models.SignalKind",
        "ProviderKindEnum": "insights.signals.models.ProviderKind",
        "CriterionKindEnum": "scoring.models.CriterionKind",
    },
}

# --- Security (production). DEBUG off turns the HTTPS protections on.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies in front of the app: public endpoints rate-limit by the X-Forwarded-For address they saw.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Product defaults
SIGNAL_REFRESH_INTERVAL_DAYS = env_int("SIGNAL_REFRESH_INTERVAL_DAYS", 14)

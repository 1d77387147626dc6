"""Settings for the test suite: same as production code paths, fast hashing, no real email."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789abcdef")

from twinning.settings import *  # noqa: F403
from twinning.settings import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# Tests render pages without collectstatic; serve from the app folders.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Live-server threads must not keep connections open past a test, or PostgreSQL cannot drop the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # Django's backend with a faster flush between transactional tests (see the module).
    DATABASES["default"]["ENGINE"] = "twinning.testing.postgresql"  # noqa: F405
# Per process is enough for tests (one process sends a test's requests), and the query counts the tests assert
# stay about each page's own queries, not the rate-limit bookkeeping.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Far above what any test sends, so only the rate-limit tests (which set their own) meet a limit.
API_THROTTLE_RATES = {"address": "100000/min", "token": "100000/min", "failed_token": "100000/h"}
# Page query-count tests compare two renders: the navigation's counts are computed on each (the cache has its
# own test, which turns it on).
MY_WORK_CACHE_SECONDS = 0

"""Configuration read from the environment (names in DESIGN.md section 4)."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment cannot run the application safely."""


def _bool(value, default=False):
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env, name, default):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _timezone(env, name, default):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = env.get(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{name} must be a time zone such as America/Toronto, not {value!r}") from exc
    return value


# Development companions started by `make run` (localstripe and the aiosmtpd sink).
DEV_DEFAULTS = {
    "BASE_URL": "http://127.0.0.1:5000",
    "STRIPE_SECRET_KEY": "sk_test_localstripe",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
    "STRIPE_WEBHOOK_SECRET": "whsec_localstripe_development",
    "STRIPE_API_BASE": "http://127.0.0.1:8420",
    "STRIPE_JS_URL": "http://127.0.0.1:8420/js.stripe.com/v3/",
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": "8025",
    "MAIL_DEFAULT_SENDER": "Demo Charity <hello@charity.example>",
    # A made-up charity, so that receipts made in development carry every element CRA requires.
    "CHARITY_ADDRESS": "100 Example Street, Winnipeg MB R3C 0A1",
    "CHARITY_REGISTRATION_NUMBER": "000000000 RR 0001",
    "RECEIPT_LOCATION": "Winnipeg, Manitoba",
    "RECEIPT_SIGNATORY": "Alex Demo, Treasurer",
}


MIN_SECRET_KEY_BYTES = 32


class Config:
    """Settings for a running application, production or development."""

    def __init__(self, env=None, *, production=True, instance_path=None):
        env = dict(os.environ if env is None else env)
        if not production:
            for name, value in DEV_DEFAULTS.items():
                env.setdefault(name, value)
        self.production = production
        instance = Path(instance_path or ROOT / "instance")

        self.SECRET_KEY = env.get("SECRET_KEY") or self._dev_secret_key(instance)
        if production and len(self.SECRET_KEY.encode()) < MIN_SECRET_KEY_BYTES:
            raise ConfigError(
                f"SECRET_KEY must hold at least {MIN_SECRET_KEY_BYTES} random bytes (it signs sessions and links): "
                'python -c "import secrets; print(secrets.token_hex(32))"'
            )
        self.SQLALCHEMY_DATABASE_URI = database_url(env.get("DATABASE_URL"), instance)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.BASE_URL = env.get("BASE_URL", "").rstrip("/")

        self.STRIPE_SECRET_KEY = env.get("STRIPE_SECRET_KEY", "")
        self.STRIPE_PUBLISHABLE_KEY = env.get("STRIPE_PUBLISHABLE_KEY", "")
        self.STRIPE_WEBHOOK_SECRET = env.get("STRIPE_WEBHOOK_SECRET", "")
        self.STRIPE_API_BASE = env.get("STRIPE_API_BASE", "").rstrip("/")
        self.STRIPE_JS_URL = env.get("STRIPE_JS_URL") or "https://js.stripe.com/v3/"
        # How long a Stripe call may wait for its answer: under gunicorn's 30 s worker timeout.
        self.STRIPE_TIMEOUT_SECONDS = _int(env, "STRIPE_TIMEOUT_SECONDS", 20)
        # Donations: amounts in integer cents; the fee rate as a Decimal string (never a float).
        self.DONATION_MIN_CENTS = _int(env, "DONATION_MIN_CENTS", 500)
        self.DONATION_MAX_CENTS = _int(env, "DONATION_MAX_CENTS", 10_000_000)
        self.DONATION_PRESETS = env.get("DONATION_PRESETS") or "2500,5000,10000,25000"
        self.STRIPE_FEE_PERCENT = env.get("STRIPE_FEE_PERCENT") or "2.9"
        self.STRIPE_FEE_FIXED_CENTS = _int(env, "STRIPE_FEE_FIXED_CENTS", 30)
        if production and self.STRIPE_SECRET_KEY and not self.STRIPE_WEBHOOK_SECRET:
            raise ConfigError("STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set")

        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = _int(env, "MAIL_PORT", 25)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _bool(env.get("MAIL_USE_TLS"))
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "")
        self.MAIL_RATE_PER_MINUTE = _int(env, "MAIL_RATE_PER_MINUTE", 60)
        self.MAIL_TIMEOUT = _int(env, "MAIL_TIMEOUT", 30)
        self.MAIL_LEASE_SECONDS = _int(env, "MAIL_LEASE_SECONDS", 300)
        self.MAIL_MAX_ATTEMPTS = _int(env, "MAIL_MAX_ATTEMPTS", 8)
        self.MAIL_RETRY_BASE_SECONDS = _int(env, "MAIL_RETRY_BASE_SECONDS", 60)
        self.MAIL_BATCH_SIZE = _int(env, "MAIL_BATCH_SIZE", 100)
        self.EVENTS_TEAM_EMAIL = env.get("EVENTS_TEAM_EMAIL", "events@charity.example")
        self.MEDIA_CONTACT_EMAIL = env.get("MEDIA_CONTACT_EMAIL", "media@charity.example")
        self.PREFERENCE_LINK_DAYS = _int(env, "PREFERENCE_LINK_DAYS", 90)

        self.CHARITY_NAME = env.get("CHARITY_NAME", "Demo Charity")
        self.CHARITY_ADDRESS = env.get("CHARITY_ADDRESS", "")
        self.CHARITY_REGISTRATION_NUMBER = env.get("CHARITY_REGISTRATION_NUMBER", "")
        self.RECEIPT_LOCATION = env.get("RECEIPT_LOCATION", "")
        self.RECEIPT_SIGNATORY = env.get("RECEIPT_SIGNATORY", "")
        # Monthly gifts get one annual receipt (`flask payments annual-receipts`) instead of one a month.
        self.RECEIPT_ANNUAL_FOR_MONTHLY = _bool(env.get("RECEIPT_ANNUAL_FOR_MONTHLY"), default=True)
        # The charity's time zone: the dates on receipts, and the year a gift belongs to.
        self.RECEIPT_TIMEZONE = _timezone(env, "RECEIPT_TIMEZONE", "America/Toronto")
        self.CURRENCY = env.get("CURRENCY", "cad").lower()
        self.FISCAL_YEAR_START = env.get("FISCAL_YEAR_START", "01-01")

        self.SUPPORTED_LOCALES = [
            code.strip() for code in env.get("SUPPORTED_LOCALES", "en,fr").split(",") if code.strip()
        ]
        self.BABEL_DEFAULT_LOCALE = self.SUPPORTED_LOCALES[0]
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
        self.MONEY_TERRITORY = env.get("MONEY_TERRITORY", "CA")

        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        # memory:// counts in each process: with gunicorn's 2 workers, 5 failed logins a minute became 10.
        self.WEB_CONCURRENCY = _int(env, "WEB_CONCURRENCY", 2)  # the Procfile's gunicorn --workers
        if production and self.RATELIMIT_STORAGE_URI.startswith("memory://") and self.WEB_CONCURRENCY > 1:
            raise ConfigError(
                "RATELIMIT_STORAGE_URI=memory:// counts attempts in each process, and "
                f"{self.WEB_CONCURRENCY} processes serve (WEB_CONCURRENCY): set RATELIMIT_STORAGE_URI="
                "redis://127.0.0.1:6379 (shared by every process), or WEB_CONCURRENCY=1"
            )
        self.RATELIMIT_ENABLED = True
        self.RATELIMIT_HEADERS_ENABLED = True
        self.LOGIN_LIMIT_PER_ACCOUNT = env.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute")
        self.LOGIN_LIMIT_PER_ADDRESS = env.get("LOGIN_LIMIT_PER_ADDRESS", "20 per minute")
        self.PASSWORD_RESET_LIMIT = env.get("PASSWORD_RESET_LIMIT", "5 per hour")
        self.SIGNUP_LIMIT = env.get("SIGNUP_LIMIT", "5 per hour")
        # Each public form's own budget per address, spent only by what it accepts (crm.supporters.form_limits):
        # an office or a school shares one address.
        self.PUBLIC_FORM_LIMIT = env.get("PUBLIC_FORM_LIMIT", "60 per hour;20 per minute")
        self.FORM_MIN_SECONDS = _int(env, "FORM_MIN_SECONDS", 3)
        self.TRUSTED_PROXIES = _int(env, "TRUSTED_PROXIES", 0)

        self.MEDIA_ROOT = env.get("MEDIA_ROOT") or str(instance / "media")
        # Uploads (catalog images, CSV imports) may send this much; a plain form far less: the
        # longest field any form accepts is 20,000 characters. Text parts of an upload form too.
        self.MAX_CONTENT_LENGTH = _int(env, "MAX_CONTENT_LENGTH", 10 * 1024 * 1024)
        self.MAX_FORM_BYTES = _int(env, "MAX_FORM_BYTES", 256 * 1024)
        self.MAX_FORM_MEMORY_SIZE = self.MAX_FORM_BYTES

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = production
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = production
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

        # argon2id cost: RFC 9106's second recommended option (64 MiB, 3 passes).
        self.ARGON2_TIME_COST = _int(env, "ARGON2_TIME_COST", 3)
        self.ARGON2_MEMORY_COST = _int(env, "ARGON2_MEMORY_COST", 65536)
        self.ARGON2_PARALLELISM = _int(env, "ARGON2_PARALLELISM", 4)

    def _dev_secret_key(self, instance):
        if self.production:
            raise ConfigError("SECRET_KEY must be set in production (set FLASK_DEBUG=1 for development)")
        key_file = instance / "secret_key"
        if not key_file.exists():
            instance.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    def as_dict(self):
        """Return the settings Flask reads (the upper-case attributes)."""
        return {name: value for name, value in vars(self).items() if name.isupper()}


class TestConfig(Config):
    """Settings for the test suite: a given database, cheap hashing, no secure cookies."""

    __test__ = False  # not a pytest test class

    def __init__(self, database_url, **overrides):
        env = {"SECRET_KEY": "test-secret-key", "DATABASE_URL": database_url}
        super().__init__(env, production=False)
        self.TESTING = True
        self.ARGON2_TIME_COST = 1
        self.ARGON2_MEMORY_COST = 1024
        self.ARGON2_PARALLELISM = 1
        self.BASE_URL = "http://localhost"
        for name, value in overrides.items():
            setattr(self, name, value)


def database_url(url, instance):
    """Return an SQLAlchemy URL: psycopg 3 for PostgreSQL, an SQLite file by default."""
    if not url:
        instance.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance / 'crm.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_dotenv_file():
    """Read `.env` from the project root, never overriding the real environment."""
    from dotenv import load_dotenv

    load_dotenv(ROOT / ".env", override=False)

"""Configuration from the environment; production refuses unsafe settings."""

import re
from pathlib import Path

import pytest

from crm import create_app
from crm.config import Config, ConfigError, database_url

ROOT = Path(__file__).resolve().parent.parent
# What production needs at least: a real key, and rate limits every process shares.
PRODUCTION = {"SECRET_KEY": "k" * 32, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Config({}, production=True, instance_path=tmp_path)


def test_production_with_stripe_needs_a_webhook_secret(tmp_path):
    env = {**PRODUCTION, "STRIPE_SECRET_KEY": "sk_live_x"}
    with pytest.raises(ConfigError, match="STRIPE_WEBHOOK_SECRET"):
        Config(env, production=True, instance_path=tmp_path)
    Config({**env, "STRIPE_WEBHOOK_SECRET": "whsec_x"}, production=True, instance_path=tmp_path)


def test_create_app_without_debug_and_secret_key_fails(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "0")
    with pytest.raises(ConfigError):
        create_app()


def test_development_generates_a_secret_key_once(tmp_path):
    first = Config({}, production=False, instance_path=tmp_path)
    second = Config({}, production=False, instance_path=tmp_path)
    assert len(first.SECRET_KEY) >= 32
    assert first.SECRET_KEY == second.SECRET_KEY
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_development_defaults_point_at_local_companions(tmp_path):
    config = Config({}, production=False, instance_path=tmp_path)
    assert config.STRIPE_API_BASE == "http://127.0.0.1:8420"
    assert config.STRIPE_JS_URL == "http://127.0.0.1:8420/js.stripe.com/v3/"
    assert (config.MAIL_SERVER, config.MAIL_PORT) == ("127.0.0.1", 8025)
    assert f"sqlite:///{tmp_path / 'crm.sqlite3'}" == config.SQLALCHEMY_DATABASE_URI


def test_production_has_no_local_defaults(tmp_path):
    config = Config(PRODUCTION, production=True, instance_path=tmp_path)
    assert config.STRIPE_API_BASE == ""
    assert config.STRIPE_JS_URL == "https://js.stripe.com/v3/"
    assert config.SESSION_COOKIE_SECURE


def test_environment_values_are_read(tmp_path):
    env = {
        **PRODUCTION,
        "CURRENCY": "CAD",
        "SUPPORTED_LOCALES": "fr, en",
        "MAIL_PORT": "2525",
        "MAIL_USE_TLS": "true",
        "CHARITY_NAME": "Enfants en sécurité",
    }
    config = Config(env, production=True, instance_path=tmp_path)
    assert config.CURRENCY == "cad"
    assert config.SUPPORTED_LOCALES == ["fr", "en"]
    assert config.BABEL_DEFAULT_LOCALE == "fr"
    assert config.MAIL_PORT == 2525
    assert config.MAIL_USE_TLS is True
    assert config.CHARITY_NAME == "Enfants en sécurité"


def test_a_bad_number_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="MAIL_PORT must be a whole number"):
        Config({**PRODUCTION, "MAIL_PORT": "twenty-five"}, production=True, instance_path=tmp_path)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/crm", "postgresql+psycopg://u:p@db/crm"),
        ("postgresql://u@db/crm", "postgresql+psycopg://u@db/crm"),
        ("postgresql+psycopg://u@db/crm", "postgresql+psycopg://u@db/crm"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_uses_psycopg3(tmp_path, given, expected):
    assert database_url(given, tmp_path) == expected


def test_env_example_documents_every_setting():
    source = (ROOT / "crm" / "config.py").read_text()
    names = set(re.findall(r'env\.get\("([A-Z_]+)"', source)) | set(re.findall(r'_int\(env, "([A-Z_]+)"', source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert names - documented == set()
    for name in ("SECRET_KEY", "DATABASE_URL", "STRIPE_WEBHOOK_SECRET", "MEDIA_ROOT", "RATELIMIT_STORAGE_URI"):
        assert name in names


@pytest.mark.parametrize("key", ["x", "short-but-not-32-bytes", "é" * 15])
def test_production_refuses_a_short_secret_key(tmp_path, key):
    with pytest.raises(ConfigError, match="at least 32 random bytes"):
        Config({**PRODUCTION, "SECRET_KEY": key}, production=True, instance_path=tmp_path)


def test_production_refuses_per_process_rate_limits_when_several_processes_serve(tmp_path):
    memory = {**PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://"}
    with pytest.raises(ConfigError, match="redis://"):
        Config(memory, production=True, instance_path=tmp_path)  # the Procfile's 2 workers
    with pytest.raises(ConfigError, match="redis://"):
        Config({**memory, "WEB_CONCURRENCY": "4"}, production=True, instance_path=tmp_path)
    Config({**memory, "WEB_CONCURRENCY": "1"}, production=True, instance_path=tmp_path)  # one process: fine
    Config(PRODUCTION, production=True, instance_path=tmp_path)
    Config({"RATELIMIT_STORAGE_URI": "memory://"}, production=False, instance_path=tmp_path)  # development

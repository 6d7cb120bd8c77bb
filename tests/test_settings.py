"""The settings module is safe by default and needs no servers for a newcomer.

Each check runs Django in a subprocess with a controlled environment, because settings are
read once at import time and the test process itself runs with the test profile.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def clean_env(**overrides: str) -> dict[str, str]:
    """A minimal environment: none of the DJANGO_*/DATABASE_*/CELERY_* variables of this run."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    env.update(overrides)
    return env


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_values(env: dict[str, str]) -> dict:
    """Import crm.settings under `env` and return the values the tests look at."""
    code = (
        "import json; from crm import settings as s; "
        "print(json.dumps({'DEBUG': s.DEBUG, 'ENGINE': s.DATABASES['default']['ENGINE'], "
        "'DB_NAME': str(s.DATABASES['default']['NAME']), 'BROKER': s.CELERY_BROKER_URL, "
        "'RESULTS': s.CELERY_RESULT_BACKEND, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS, "
        "'SSL_REDIRECT': s.SECURE_SSL_REDIRECT, 'SESSION_SECURE': s.SESSION_COOKIE_SECURE}))"
    )
    result = run_python(["-c", code], env)
    assert result.returncode == 0, f"importing settings failed:\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def production_env() -> dict[str, str]:
    return clean_env(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="crm.example.com",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/crm_deploy_check",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )


def test_deploy_check_is_clean_for_a_production_like_environment():
    # Given a production-like environment (DEBUG unset, a long random secret key, a real host)
    env = production_env()
    # When Django's deployment checks run with warnings counting as failures
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    # Then they pass without a single warning
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"manage.py check --deploy is not clean:\n{output}"
    assert "WARNING" not in output.upper(), output
    assert "System check identified no issues" in output, output


def test_debug_is_off_unless_set():
    # Given only a secret key
    values = settings_values(clean_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(64)))
    # Then DEBUG is off, no host is allowed by default and HTTPS is enforced
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == []
    assert values["SSL_REDIRECT"] is True
    assert values["SESSION_SECURE"] is True


def test_secret_key_is_required_when_debug_is_off():
    # Given neither DJANGO_SECRET_KEY nor DJANGO_DEBUG
    # When Django starts
    result = run_python(["manage.py", "check"], clean_env())
    # Then it refuses to start and says why
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off" in result.stderr


def test_debug_profile_runs_without_a_secret_key():
    # Given the development profile `make run` uses, without a secret key
    values = settings_values(clean_env(DJANGO_DEBUG="1"))
    # Then Django starts with DEBUG on and local hosts allowed, no TLS redirect
    assert values["DEBUG"] is True
    assert "127.0.0.1" in values["ALLOWED_HOSTS"]
    assert values["SSL_REDIRECT"] is False


def test_sqlite_and_filesystem_broker_are_the_defaults_without_servers():
    # Given no DATABASE_URL and no CELERY_BROKER_URL
    values = settings_values(clean_env(DJANGO_DEBUG="1"))
    # Then the database is a SQLite file under var/ and Celery uses its filesystem transport
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(values["DB_NAME"]) == BASE_DIR / "var" / "crm.sqlite3"
    assert values["BROKER"] == "filesystem://"
    assert values["RESULTS"].startswith("file://"), values["RESULTS"]
    assert str(BASE_DIR / "var") in values["RESULTS"]


def test_database_and_broker_come_from_the_environment_when_set():
    # Given the production variables
    values = settings_values(production_env())
    # Then PostgreSQL and Redis are used, with results on the broker by default
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["DB_NAME"] == "crm_deploy_check"
    assert values["BROKER"] == "redis://127.0.0.1:6379/0"
    assert values["RESULTS"] == "redis://127.0.0.1:6379/0"

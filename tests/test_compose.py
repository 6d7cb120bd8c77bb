"""docker-compose.yml agrees with the settings, the code and the Dockerfile it names.

Docker is not available where the suite runs, so instead of starting the stack this test reads
the compose file and checks every promise it makes against the real project: the variables
settings read, the WSGI module, the Celery app, the health URL and the image's ports.
"""

import importlib
import re
import shlex
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
SETTINGS_FILE = BASE_DIR / "crm" / "settings.py"

APP_SERVICES = ("web", "worker", "beat")
ALL_SERVICES = ("postgres", "redis", *APP_SERVICES)
# Without these, production settings either refuse to start or fall back to the no-servers
# defaults (SQLite, filesystem broker), which would be wrong inside the stack.
REQUIRED_IN_PRODUCTION = ("DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL")


@pytest.fixture(scope="module")
def compose() -> dict:
    assert COMPOSE_FILE.exists(), f"{COMPOSE_FILE} is missing"
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose.get("services") or {}


def settings_env_names() -> set[str]:
    """Every variable crm/settings.py reads through django-environ: env.str("X"), env("X"), ..."""
    source = SETTINGS_FILE.read_text()
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


def command_words(service: dict) -> list[str]:
    """The service's command as words, unwrapping `sh -c "..."` forms."""
    command = service.get("command") or []
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if len(words) >= 3 and words[0] in ("sh", "bash") and words[1] == "-c":
        words = shlex.split(words[2])
    return words


def healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else str(test)


def dockerfile_text() -> str:
    assert DOCKERFILE.exists(), "Dockerfile is missing: compose builds the app image from it"
    return DOCKERFILE.read_text()


def test_every_service_of_the_stack_exists(services):
    missing = [name for name in ALL_SERVICES if name not in services]
    assert not missing, f"docker-compose.yml lacks services: {missing}"


def test_every_service_has_a_healthcheck(services):
    without = [
        name
        for name in ALL_SERVICES
        if not (services.get(name) or {}).get("healthcheck", {}).get("test")
    ]
    assert not without, f"services without a healthcheck test: {without}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_postgres_and_redis(services, name):
    depends = services[name].get("depends_on") or {}
    assert isinstance(depends, dict), (
        f"{name}.depends_on is a plain list; it must use condition: service_healthy"
    )
    for dependency in ("postgres", "redis"):
        condition = (depends.get(dependency) or {}).get("condition")
        assert condition == "service_healthy", (
            f"{name} must depend on {dependency} with condition service_healthy, got {condition!r}"
        )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_set_only_variables_that_settings_read(services, name):
    environment = services[name].get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    known = settings_env_names()
    assert known, 'found no env.*("NAME") calls in crm/settings.py; has the file moved?'
    unknown = sorted(set(environment) - known)
    assert not unknown, (
        f"{name} sets variables crm/settings.py never reads (typo or dead config): {unknown}"
    )
    missing = [var for var in REQUIRED_IN_PRODUCTION if not environment.get(var)]
    assert not missing, f"{name} does not set variables production settings need: {missing}"


def test_app_services_point_at_the_compose_postgres_and_redis(services):
    postgres_env = services["postgres"].get("environment") or {}
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        database = urlparse(environment["DATABASE_URL"])
        assert database.hostname == "postgres", f"{name}.DATABASE_URL must use host postgres"
        assert database.username == postgres_env.get("POSTGRES_USER"), (
            f"{name}.DATABASE_URL user differs from postgres.POSTGRES_USER"
        )
        assert database.password == postgres_env.get("POSTGRES_PASSWORD"), (
            f"{name}.DATABASE_URL password differs from postgres.POSTGRES_PASSWORD"
        )
        assert database.path.lstrip("/") == postgres_env.get("POSTGRES_DB"), (
            f"{name}.DATABASE_URL database differs from postgres.POSTGRES_DB"
        )
        for var in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL"):
            if var in environment:
                assert urlparse(environment[var]).hostname == "redis", (
                    f"{name}.{var} must use host redis"
                )


def test_web_command_serves_the_wsgi_application_that_imports(services):
    words = command_words(services["web"])
    assert "gunicorn" in words, f"web does not run gunicorn: {words}"
    target = words[words.index("gunicorn") + 1]
    module_name, _, attribute = target.partition(":")
    assert (module_name, attribute) == ("crm.wsgi", "application"), (
        f"web serves {target!r}, expected crm.wsgi:application"
    )
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute, None)), f"{target} is not a WSGI callable"
    assert "migrate" in words, "web does not run migrations before starting gunicorn"


@pytest.mark.parametrize("name", ("worker", "beat"))
def test_celery_commands_name_an_importable_app_with_a_beat_schedule(services, name):
    from celery.app.utils import find_app

    words = command_words(services[name])
    assert words[:1] == ["celery"], f"{name} does not run celery: {words}"
    assert "-A" in words, f"{name} does not name its Celery app with -A"
    app_name = words[words.index("-A") + 1]
    app = find_app(app_name)
    assert app.main == "crm", f"-A {app_name} finds app {app.main!r}, not the crm app"
    assert name in words, f"{name} service does not run `celery {name}`"
    assert app.conf.beat_schedule, f"-A {app_name} has an empty beat schedule"


def test_web_healthcheck_url_resolves_to_the_health_view(services):
    from django.urls import resolve

    from crm.health import healthz

    match = re.search(r"https?://[^'\"\s]+", healthcheck_text(services["web"]))
    assert match, "web healthcheck does not request an http URL"
    url = urlparse(match.group(0))
    assert url.path == "/healthz", f"web healthcheck asks {url.path}, expected /healthz"
    assert resolve(url.path).func is healthz, f"{url.path} does not resolve to crm.health.healthz"
    assert url.port == 8000 or url.port is None


def test_dockerfile_builds_a_python_311_image_with_the_requirements():
    text = dockerfile_text()
    base = re.search(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert base and base.group(1).startswith("python:3.11"), (
        f"Dockerfile must be based on python:3.11, found {base and base.group(1)!r}"
    )
    assert re.search(r"^COPY\s+requirements\.txt\b", text, re.MULTILINE), (
        "Dockerfile does not copy requirements.txt"
    )
    assert re.search(r"pip install[^\n]*-r\s+requirements\.txt", text), (
        "Dockerfile does not pip install -r requirements.txt"
    )


def test_ports_agree_between_dockerfile_gunicorn_healthcheck_and_compose(services):
    exposed = set(re.findall(r"^EXPOSE\s+(\d+)", dockerfile_text(), re.MULTILINE))
    web = services["web"]
    bind = re.search(r"--bind\s+[\d.]+:(\d+)", " ".join(command_words(web)))
    assert bind, "web's gunicorn has no --bind HOST:PORT"
    published = {str(port).split(":")[-1] for port in web.get("ports") or []}
    health_port = urlparse(re.search(r"https?://\S+?(?=['\"\s]|$)", healthcheck_text(web))[0]).port
    assert bind.group(1) in exposed, f"gunicorn binds {bind.group(1)}, Dockerfile EXPOSEs {exposed}"
    assert published == {bind.group(1)}, (
        f"compose publishes container ports {published}, gunicorn binds {bind.group(1)}"
    )
    assert str(health_port) == bind.group(1), (
        f"healthcheck asks port {health_port}, gunicorn binds {bind.group(1)}"
    )


def test_beat_schedule_file_lives_in_the_writable_var_directory(services):
    words = command_words(services["beat"])
    schedule = next((w.split("=", 1)[1] for w in words if w.startswith("--schedule=")), None)
    assert schedule, "beat has no --schedule=PATH; the default path is not writable in the image"
    text = dockerfile_text()
    workdir = re.search(r"^WORKDIR\s+(\S+)", text, re.MULTILINE)
    assert workdir, "Dockerfile has no WORKDIR"
    var_dir = f"{workdir.group(1).rstrip('/')}/var"
    assert schedule.startswith(var_dir + "/"), f"beat schedule {schedule} is not under {var_dir}"
    assert re.search(rf"chown\b[^\n]*{re.escape(var_dir)}", text), (
        f"Dockerfile does not make {var_dir} writable for the app user"
    )

"""docker-compose.yml, Dockerfile and .dockerignore agree with the code they run. Docker does not
run on the machines the suite runs on, so the files are read and each claim they make is checked
against the project: the variables are ones settings read, the commands name real modules, the
URLs point at the services, the healthcheck's page answers."""
import importlib
import os
import re
import secrets
import shlex
import tomllib
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from celery.utils.imports import symbol_by_name
from django.test import Client
from packaging.specifiers import SpecifierSet

from abm_platform.env import env_bool
from tests.platform.test_deploy import check_ids, clean_environ, run_manage, settings_env_names

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())

APP_SERVICES = ["web", "worker", "beat"]
ONE_OFFS = ["migrate"]
# Set from the operator's environment when compose runs (`${NAME:?…}`): present, value unknown.
REQUIRED_FROM_SHELL = "<required from the shell>"


def interpolate(value) -> str:
    """Compose's `${NAME:-default}` → default; `${NAME:?error}` / `${NAME}` → a marker saying the
    value comes from the shell."""
    def one(match: re.Match) -> str:
        operator, word = match.group(2), match.group(3)
        return word if operator in (":-", "-") else REQUIRED_FROM_SHELL

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}", one, str(value))


def environment(service: str) -> dict[str, str]:
    env = SERVICES[service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {name: interpolate(value) for name, value in env.items()}


def command(service: str) -> list[str]:
    cmd = SERVICES[service].get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd)


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def healthcheck_text(service: str) -> str:
    test = SERVICES[service]["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def env_bool_value(raw: str) -> bool:
    """What settings make of a boolean variable: read through abm_platform/env.py itself."""
    with mock.patch.dict(os.environ, {"_COMPOSE_VALUE": raw}):
        return env_bool("_COMPOSE_VALUE")


def test_it_declares_the_platform_services():
    assert {"web", "worker", "beat", "db", "redis"} <= set(SERVICES)


@pytest.mark.parametrize("service", APP_SERVICES + ONE_OFFS)
def test_app_services_set_only_variables_the_settings_read(service):
    unknown = set(environment(service)) - settings_env_names()
    assert unknown == set(), f"{service} sets variables abm_platform/settings.py never reads: {unknown}"


@pytest.mark.parametrize("service", APP_SERVICES + ONE_OFFS)
def test_app_services_run_with_production_settings(service):
    env = environment(service)
    assert env_bool_value(env["DEBUG"]) is False
    assert env["SECRET_KEY"] == REQUIRED_FROM_SHELL, "the secret comes from the operator, never the file"
    assert [host for host in env["ALLOWED_HOSTS"].split(",") if host.strip()]
    assert env["CELERY_BROKER_URL"].startswith("redis://")


def test_the_compose_environment_passes_the_deploy_check_but_for_plain_http():
    """Settings load with exactly what compose gives web, and `check --deploy` only reports the
    one local exception the compose file documents: no HTTPS redirect on plain http."""
    env = clean_environ()
    env.update(environment("web"))
    env["SECRET_KEY"] = secrets.token_urlsafe(45)

    done = run_manage(env, "check", "--deploy")

    assert done.returncode == 0, done.stderr
    assert check_ids(done.stdout + done.stderr) == {"security.W008"}


def test_app_services_share_one_environment_and_image():
    first = environment("web")
    for service in APP_SERVICES + ONE_OFFS:
        assert environment(service) == first, service
        assert SERVICES[service]["build"] in (".", {"context": "."})
        assert SERVICES[service]["image"] == SERVICES["web"]["image"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_wait_for_healthy_db_and_redis_and_migrations(service):
    depends_on = SERVICES[service]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_migrate_runs_the_migrations_once_the_database_is_up():
    assert command("migrate")[:3] == ["python", "manage.py", "migrate"]
    assert SERVICES["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert SERVICES["migrate"].get("restart") == "no"


def test_web_runs_the_projects_wsgi_application_under_gunicorn():
    args = command("web")
    assert args[0] == "gunicorn"
    module_name, _, attribute = args[1].partition(":")
    application = getattr(importlib.import_module(module_name), attribute)
    assert callable(application)


def celery_app_of(args: list[str]) -> Celery:
    """The app `celery -A <name>` loads, found the way the celery command finds it."""
    assert args[0] == "celery"
    return find_app(option(args, "-A"))


@pytest.mark.parametrize(("service", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_worker_and_beat_run_the_projects_celery_app(service, subcommand):
    from abm_platform.celery import app

    args = command(service)
    assert args[3] == subcommand
    assert celery_app_of(args) is app


def test_beat_reads_its_schedule_from_the_database():
    scheduler = option(command("beat"), "--scheduler")
    assert scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert symbol_by_name(scheduler).__name__ == "DatabaseScheduler"


def test_db_and_redis_declare_healthchecks():
    assert "pg_isready" in healthcheck_text("db")
    assert "redis-cli ping" in healthcheck_text("redis")
    assert SERVICES["db"]["image"].startswith("postgres:16")
    assert SERVICES["redis"]["image"].startswith("redis:7")


def web_healthcheck_url():
    match = re.search(r"https?://[^\s'\"]+", healthcheck_text("web"))
    assert match, "web's healthcheck requests no URL"
    return urlsplit(match.group(0))


def test_web_healthcheck_asks_the_port_gunicorn_listens_on():
    url = web_healthcheck_url()
    bind = option(command("web"), "--bind")
    assert url.port == int(bind.rsplit(":", 1)[1])
    assert f"{url.port}:{url.port}" in SERVICES["web"]["ports"]


def test_web_healthcheck_page_answers_ok_with_the_compose_settings(settings):
    """The request the healthcheck makes, through the whole middleware stack with compose's host
    list and redirect setting; no database (the page must answer while PostgreSQL is busy)."""
    url = web_healthcheck_url()
    env = environment("web")
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = env["ALLOWED_HOSTS"].split(",")
    settings.SECURE_SSL_REDIRECT = env_bool_value(env["SECURE_SSL_REDIRECT"])

    response = Client().get(url.path, HTTP_HOST=url.netloc)

    assert response.status_code == 200
    assert response.content == b"ok"


def test_database_url_points_at_the_db_service():
    url = urlsplit(environment("web")["DATABASE_URL"])
    db_env = {name: interpolate(value) for name, value in SERVICES["db"]["environment"].items()}
    assert url.scheme in ("postgres", "postgresql")
    assert (url.hostname, url.port or 5432) == ("db", 5432)
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == db_env["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == db_env["POSTGRES_DB"]


@pytest.mark.parametrize("variable", ["CELERY_BROKER_URL", "CACHE_URL"])
def test_broker_and_cache_point_at_the_redis_service(variable):
    url = urlsplit(environment("web")[variable])
    assert url.scheme == "redis"
    assert (url.hostname, url.port or 6379) == ("redis", 6379)


def test_web_and_worker_share_the_media_volume():
    """The worker writes exports that web serves for download."""
    media_root = environment("web")["MEDIA_ROOT"]
    for service in ("web", "worker"):
        volumes = SERVICES[service]["volumes"]
        assert any(v.split(":")[1] == media_root and v.split(":")[0] in COMPOSE["volumes"] for v in volumes), service


def test_dockerfile_builds_on_a_python_the_project_supports():
    match = re.search(r"^FROM python:(\d+\.\d+)", DOCKERFILE, re.MULTILINE)
    assert match, "the image is not built on an official python image"
    assert match.group(1) in SpecifierSet(PYPROJECT["project"]["requires-python"])


def test_dockerfile_installs_what_pyproject_declares():
    copy_pyproject = re.search(r"^COPY\b.*\bpyproject\.toml\b", DOCKERFILE, re.MULTILINE)
    install = re.search(r"^RUN pip install \.(\s|$)", DOCKERFILE, re.MULTILINE)
    assert copy_pyproject and install, "the image must `pip install .` from pyproject.toml"
    assert copy_pyproject.start() < install.start()
    assert "requirements" not in DOCKERFILE
    # pyproject's readme is part of the metadata pip builds: it must be in the image by then.
    readme = PYPROJECT["project"]["readme"]
    assert readme in DOCKERFILE[copy_pyproject.start():install.start()]


def test_dockerfile_default_command_is_webs():
    match = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE)
    assert match and yaml.safe_load(match.group(1)) == command("web")


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    ignored = {line.strip() for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "db.sqlite3", "media", ".env", "test-artifacts"} <= ignored


def test_the_image_build_collects_static_files_for_production(tmp_path):
    """The Dockerfile's collectstatic step, with its own environment, into an empty directory."""
    match = re.search(r"^RUN ((?:\w+=\S+\s+)+)python manage\.py (collectstatic[^\n]*)$",
                      DOCKERFILE.replace("\\\n", " "), re.MULTILINE)
    assert match, "the Dockerfile does not collect static files"
    env = clean_environ()
    env.update(dict(pair.split("=", 1) for pair in match.group(1).split()))
    env["STATIC_ROOT"] = str(tmp_path / "static")

    done = run_manage(env, *match.group(2).split())

    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").is_file()

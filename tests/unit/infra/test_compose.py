"""Structural tests of docker-compose.yml and infra/docker: the production shape cannot rot unseen."""

from __future__ import annotations

import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "infra" / "docker" / "Dockerfile"
POSTGRES_INIT = ROOT / "infra" / "docker" / "postgres-init"

INFRA = ("postgres", "rabbitmq", "minio", "temporal", "temporal-ui")
API_PORTS = {
    "evaluation": ("EVALUATION_PORT", 8001),
    "awards": ("AWARDS_PORT", 8002),
    "notifications": ("NOTIFICATIONS_PORT", 8003),
}
GUNICORN = ["gunicorn", "-c", "infra/gunicorn.conf.py"]
COMMANDS = {
    "migrate": ["python", "-m", "infra.migrate"],
    "evaluation": [*GUNICORN, "services.evaluation.app:create_app()"],
    "awards": [*GUNICORN, "services.awards.app:create_app()"],
    "notifications": [*GUNICORN, "services.notifications.app:create_app()"],
    "evaluation-worker": ["python", "-m", "services.evaluation.worker"],
    "awards-worker": ["python", "-m", "services.awards.worker"],
    "notifications-consumer": ["python", "-m", "services.notifications.consumers"],
    "workflow-worker": ["python", "-m", "workflows.worker"],
    "audit-anchors": ["python", "-m", "infra.audit_anchors", "loop", "--every", "3600"],
}
APPS = tuple(COMMANDS)
LONG_RUNNING = tuple(s for s in (*INFRA, *APPS) if s != "migrate")
APP_ENV = (
    "EVALUATION_DATABASE_URL",
    "AWARDS_DATABASE_URL",
    "NOTIFICATIONS_DATABASE_URL",
    "BROKER_URL",
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "S3_ENDPOINT",
    "S3_ACCESS_KEY",
    "S3_SECRET_KEY",
    "S3_SECURE",
    "S3_REGION",
    "EVIDENCE_BUCKET",
    "AUDIT_ANCHOR_BUCKET",
    "EVALUATION_URL",
    "AWARDS_URL",
    "NOTIFICATIONS_URL",
    "SECRET_KEY",
)
SECRET_ENV = ("S3_ACCESS_KEY", "S3_SECRET_KEY", "SECRET_KEY")
DB_URLS = {
    "evaluation": "EVALUATION_DATABASE_URL",
    "awards": "AWARDS_DATABASE_URL",
    "notifications": "NOTIFICATIONS_DATABASE_URL",
}
SERVICE_URLS = {"evaluation": "EVALUATION_URL", "awards": "AWARDS_URL", "notifications": "NOTIFICATIONS_URL"}
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


@cache
def compose() -> dict[str, Any]:
    """The parsed compose file (anchors and merge keys resolved by PyYAML)."""
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def service(name: str) -> dict[str, Any]:
    """One service's definition."""
    return compose()["services"][name]


def resolve(value: Any) -> str:
    """A value as Compose would see it with an empty .env: ${VAR:-default} becomes the default."""
    return _VAR.sub(lambda m: m.group(2) or "", str(value)).replace("$$", "$")


def env(name: str) -> dict[str, str]:
    """A service's environment as a mapping of raw (uninterpolated) strings."""
    raw = service(name).get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {k: str(v) for k, v in raw.items()}


def command(name: str) -> list[str]:
    """A service's command as an argument list."""
    cmd = service(name).get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd or [])


def healthcheck_text(name: str) -> str:
    """A service's healthcheck test as one string."""
    test = (service(name).get("healthcheck") or {}).get("test") or []
    return test if isinstance(test, str) else " ".join(str(t) for t in test)


def depends_on(name: str) -> dict[str, dict[str, Any]]:
    """A service's depends_on (the long form, which carries conditions)."""
    deps = service(name).get("depends_on") or {}
    assert isinstance(deps, dict), f"{name}: depends_on must use the long form with conditions"
    return deps


def module_files(cmd: list[str]) -> list[str]:
    """Repository files a command needs: `python -m` modules, gunicorn's config and app module."""
    if cmd[:2] == ["python", "-m"]:
        return [cmd[2].replace(".", "/") + ".py"]
    if cmd[:1] == ["gunicorn"]:
        conf = cmd[cmd.index("-c") + 1]
        app_module = cmd[-1].split(":", 1)[0]
        return [conf, app_module.replace(".", "/") + ".py"]
    raise AssertionError(f"unexpected command {cmd}")


def init_sql() -> str:
    """Every postgres init script, concatenated."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(POSTGRES_INIT.glob("*.sql")))


def test_every_part_of_the_stack_is_defined() -> None:
    assert set(compose()["services"]) == set(INFRA) | set(APPS)


@pytest.mark.parametrize("name", APPS)
def test_app_runs_its_command_from_the_one_image(name: str) -> None:
    assert command(name) == COMMANDS[name]
    svc = service(name)
    assert svc["build"]["dockerfile"] == "infra/docker/Dockerfile"
    assert (ROOT / svc["build"].get("context", ".") / svc["build"]["dockerfile"]).is_file()
    assert resolve(svc["image"]) == resolve(service("migrate")["image"])


@pytest.mark.parametrize("name", APPS)
def test_command_modules_exist_in_the_repository(name: str) -> None:
    missing = [f for f in module_files(command(name)) if not (ROOT / f).is_file()]
    assert not missing, f"{name}: {missing} do not exist"


@pytest.mark.parametrize("name", APPS)
def test_app_gets_every_environment_variable(name: str) -> None:
    shared = compose()["x-app-env"]
    assert set(APP_ENV) <= set(shared)
    assert {k: env(name).get(k) for k in shared} == {k: str(v) for k, v in shared.items()}


def test_app_env_values() -> None:
    e = {k: resolve(v) for k, v in compose()["x-app-env"].items()}
    assert e["TEMPORAL_NAMESPACE"] == "default"
    assert e["S3_SECURE"] == "false"
    assert e["S3_REGION"] == "us-east-1"
    assert e["EVIDENCE_BUCKET"] == "evidence"
    assert e["BROKER_URL"].startswith("amqp://") and e["BROKER_URL"].endswith("//")


@pytest.mark.parametrize("key", SECRET_ENV)
def test_secrets_come_from_env_file_with_defaults(key: str) -> None:
    assert _VAR.fullmatch(str(compose()["x-app-env"][key])), f"{key} must be ${{{key}:-default}}"


def test_every_url_host_is_a_compose_service() -> None:
    e = {k: resolve(v) for k, v in compose()["x-app-env"].items()}
    names = set(compose()["services"])
    hosts = {k: urlsplit(e[k]).hostname for k in (*DB_URLS.values(), "BROKER_URL", *SERVICE_URLS.values())}
    hosts |= {k: e[k].rsplit(":", 1)[0] for k in ("TEMPORAL_ADDRESS", "S3_ENDPOINT")}
    assert {k: h for k, h in hosts.items() if h not in names} == {}
    assert hosts["BROKER_URL"] == "rabbitmq"
    assert hosts["TEMPORAL_ADDRESS"] == "temporal" and e["TEMPORAL_ADDRESS"].endswith(":7233")
    assert hosts["S3_ENDPOINT"] == "minio" and e["S3_ENDPOINT"].endswith(":9000")


def test_one_postgres_database_per_service_created_at_init() -> None:
    e = {k: resolve(v) for k, v in compose()["x-app-env"].items()}
    sql = init_sql()
    dbs = {}
    for svc, key in DB_URLS.items():
        url = urlsplit(e[key])
        assert url.scheme == "postgresql+psycopg" and url.hostname == "postgres" and url.port == 5432
        dbs[svc] = url.path.lstrip("/")
        assert re.search(rf"CREATE DATABASE {dbs[svc]}\b", sql), f"{dbs[svc]} not created at init"
    assert len(set(dbs.values())) == len(dbs)
    volumes = [str(v) for v in service("postgres")["volumes"]]
    assert any(v.startswith("./infra/docker/postgres-init:/docker-entrypoint-initdb.d") for v in volumes)


def test_credentials_in_urls_match_the_servers() -> None:
    e = {k: resolve(v) for k, v in compose()["x-app-env"].items()}
    pg = {k: resolve(v) for k, v in env("postgres").items()}
    for key in DB_URLS.values():
        url = urlsplit(e[key])
        assert (url.username, url.password) == (pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"])
    mq = {k: resolve(v) for k, v in env("rabbitmq").items()}
    broker = urlsplit(e["BROKER_URL"])
    assert (broker.username, broker.password) == (mq["RABBITMQ_DEFAULT_USER"], mq["RABBITMQ_DEFAULT_PASS"])
    s3 = {k: resolve(v) for k, v in env("minio").items()}
    assert (e["S3_ACCESS_KEY"], e["S3_SECRET_KEY"]) == (s3["MINIO_ROOT_USER"], s3["MINIO_ROOT_PASSWORD"])
    assert len(s3["MINIO_ROOT_PASSWORD"]) >= 8
    for server in ("postgres", "rabbitmq", "minio"):
        assert all("${" in v for k, v in env(server).items() if "PASS" in k), f"{server}: literal password"


@pytest.mark.parametrize("name", sorted(API_PORTS))
def test_api_listens_where_its_url_points(name: str) -> None:
    port_var, port = API_PORTS[name]
    e = env(name)
    assert e[port_var] == str(port) and e["BIND_HOST"] == "0.0.0.0"
    url = urlsplit(resolve(compose()["x-app-env"][SERVICE_URLS[name]]))
    assert (url.hostname, url.port) == (name, port)
    assert f"{port}:{port}" in [str(p) for p in service(name).get("ports", [])]


@pytest.mark.parametrize("name", sorted(API_PORTS))
def test_api_healthcheck_gets_health_with_python(name: str) -> None:
    text = healthcheck_text(name)
    assert "urllib" in text and f":{API_PORTS[name][1]}/health" in text
    assert "curl" not in text  # python:3.11-slim has no curl


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_service_has_healthcheck_and_restart(name: str) -> None:
    text = healthcheck_text(name)
    assert text and text.split()[0] != "NONE", f"{name} has no healthcheck"
    assert not (service(name).get("healthcheck") or {}).get("disable")
    assert service(name).get("restart") in ("always", "unless-stopped", "on-failure")


@pytest.mark.parametrize(
    ("name", "probe"),
    [
        ("postgres", "pg_isready"),
        ("rabbitmq", "rabbitmq-diagnostics"),
        ("minio", "mc ready"),
        ("temporal", "temporal operator"),
    ],
)
def test_infrastructure_healthchecks_use_the_server_tools(name: str, probe: str) -> None:
    assert probe in healthcheck_text(name)


def test_migrate_is_one_shot() -> None:
    assert "healthcheck" not in service("migrate")
    assert service("migrate").get("restart") in ("no", "on-failure")
    assert depends_on("migrate") == {"postgres": {"condition": "service_healthy"}}


@pytest.mark.parametrize("name", [a for a in APPS if a != "migrate"])
def test_apps_wait_for_migrations_and_healthy_infrastructure(name: str) -> None:
    deps = depends_on(name)
    assert deps["migrate"] == {"condition": "service_completed_successfully"}
    for infra in ("postgres", "rabbitmq", "minio", "temporal"):
        assert deps[infra] == {"condition": "service_healthy"}


def test_depends_on_targets_exist_and_healthy_ones_have_healthchecks() -> None:
    for name in compose()["services"]:
        for target, spec in depends_on(name).items():
            assert target in compose()["services"], f"{name} -> {target}"
            if spec.get("condition") == "service_healthy":
                assert healthcheck_text(target), f"{name} waits for {target}, which has no healthcheck"


def test_depends_on_has_no_cycle() -> None:
    seen: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"cycle: {' -> '.join((*path, name))}"
        if name not in seen:
            for target in depends_on(name):
                visit(target, (*path, name))
            seen.add(name)

    for name in compose()["services"]:
        visit(name, ())


def test_temporal_runs_on_postgres() -> None:
    e = {k: resolve(v) for k, v in env("temporal").items()}
    assert service("temporal")["image"].startswith("temporalio/auto-setup")
    assert e["DB"] == "postgres12" and e["DB_PORT"] == "5432"
    assert e["POSTGRES_SEEDS"] in compose()["services"]
    pg = {k: resolve(v) for k, v in env("postgres").items()}
    assert (e["POSTGRES_USER"], e["POSTGRES_PWD"]) == (pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"])
    for db in (e.get("DBNAME", "temporal"), e.get("VISIBILITY_DBNAME", "temporal_visibility")):
        assert re.search(rf"CREATE DATABASE {db}\b", init_sql()), f"{db} not created at init"
    assert depends_on("temporal") == {"postgres": {"condition": "service_healthy"}}


def test_temporal_ui() -> None:
    assert service("temporal-ui")["image"].startswith("temporalio/ui")
    assert env("temporal-ui")["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert "8080:8080" in [str(p) for p in service("temporal-ui")["ports"]]
    assert depends_on("temporal-ui") == {"temporal": {"condition": "service_healthy"}}


def test_infrastructure_images_and_commands() -> None:
    assert service("postgres")["image"] == "postgres:16"
    assert service("rabbitmq")["image"] == "rabbitmq:3.13-management"
    assert service("minio")["image"].startswith("minio/minio")
    assert command("minio") == ["server", "/data", "--console-address", ":9001"]


def test_stateful_services_keep_data_in_named_volumes() -> None:
    declared = set(compose().get("volumes") or {})
    for name, svc in compose()["services"].items():
        for vol in svc.get("volumes", []):
            source = str(vol).split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"
    for name, target in (("postgres", "/var/lib/postgresql/data"), ("rabbitmq", "/var/lib/rabbitmq")):
        assert any(str(v).endswith(f":{target}") for v in service(name)["volumes"]), name
    assert any(str(v).endswith(":/data") for v in service("minio")["volumes"])


def test_dockerfile_installs_the_project_as_non_root() -> None:
    lines = [ln.strip() for ln in DOCKERFILE.read_text(encoding="utf-8").splitlines()]
    text = "\n".join(ln for ln in lines if not ln.startswith("#"))
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    assert re.search(r"^WORKDIR /app$", text, re.M)
    assert re.search(r"^COPY pyproject\.toml ", text, re.M)
    for folder in ("services", "workflows", "infra", "common"):
        assert re.search(rf"^COPY {folder}/? ", text, re.M), f"{folder}/ is not copied"
    assert re.search(r"pip install (--no-deps )?\.(\s|$)", text), (
        "the project is not installed from pyproject"
    )
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] not in ("root", "0")

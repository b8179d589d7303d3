"""The deployment files against the code: docker-compose.yml (which cannot run here: no Docker in
CI) and render.yaml must start commands that exist, with settings the service reads, wired to
services they define."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from config import Environment

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
#: Read by libraries rather than by config.py: boto3's standard settings, gunicorn's.
LIBRARY_SETTINGS = {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
                    "WEB_CONCURRENCY"}


def known(key: str) -> bool:
    return key in Environment.model_fields or key in LIBRARY_SETTINGS


def cli_works(runner, command: list[str]) -> bool:
    """`flask --app wsgi <command> --help` answers: the command exists with these words."""
    assert command[:3] == ["flask", "--app", "wsgi"], command
    return runner.invoke(args=[*command[3:], "--help"]).exit_code == 0


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_two_web_processes_a_worker_and_their_services(compose, runner):
    services = compose["services"]
    assert {"postgres", "redis", "minio"} <= set(services)
    webs = [s for s in services.values() if s.get("command", [""])[0] == "gunicorn"]
    assert len(webs) == 2 and all(w["command"] == ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"] for w in webs)
    assert (ROOT / "gunicorn.conf.py").is_file() and (ROOT / "Dockerfile").is_file()
    assert cli_works(runner, services["worker"]["command"]) and cli_works(runner, services["migrate"]["command"])
    assert services["worker"]["command"] == ["flask", "--app", "wsgi", "jobs", "worker"]


def test_compose_settings_are_read_by_the_service_and_point_at_its_services(compose):
    services = compose["services"]
    for name in ("web1", "web2", "worker", "migrate"):
        env = services[name]["environment"]
        assert all(known(key) for key in env), [key for key in env if not known(key)]
        assert urlparse(env["DATABASE_URL"]).hostname == "postgres"
        assert urlparse(env["REDIS_URL"]).hostname == "redis"
        assert urlparse(env["AWS_ENDPOINT_URL"]).hostname == "minio"
        bucket = urlparse(env["AUDIO_STORAGE_URL"]).netloc
        assert f"store/{bucket}" in services["bucket"]["command"][0]
        assert env["AWS_ACCESS_KEY_ID"] == services["minio"]["environment"]["MINIO_ROOT_USER"]
        assert env["AWS_SECRET_ACCESS_KEY"] == services["minio"]["environment"]["MINIO_ROOT_PASSWORD"]
        # Production refuses to start without it (links in emails); compose stops first, saying so.
        assert env["APP_ENV"] == "production" and env["PUBLIC_URL"].startswith("${PUBLIC_URL:?set PUBLIC_URL")
        Environment(**{k: v for k, v in env.items() if k in Environment.model_fields and "$" not in v})


def test_render_has_the_worker_and_the_key_value_store(runner):
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text())
    services = {s["name"]: s for s in blueprint["services"]}
    kinds = {s["type"] for s in services.values()}
    assert {"web", "worker", "keyvalue"} <= kinds
    worker = next(s for s in services.values() if s["type"] == "worker")
    assert cli_works(runner, shlex.split(worker["dockerCommand"]))
    redis_name = next(s["name"] for s in services.values() if s["type"] == "keyvalue")
    for service in (s for s in services.values() if s["type"] in ("web", "worker")):
        env = {e["key"]: e for e in service["envVars"]}
        assert all(known(key) for key in env), [key for key in env if not known(key)]
        assert env["REDIS_URL"]["fromService"] == {"type": "keyvalue", "name": redis_name,
                                                    "property": "connectionString"}
        assert {"AUDIO_STORAGE_URL", "AWS_ENDPOINT_URL", "SECRET_KEY", "PUBLIC_URL"} <= set(env)
    web = next(s for s in services.values() if s["type"] == "web")
    web_env = {e["key"]: e for e in web["envVars"]}
    # Finding 10: /metrics was public on Render. Its token is made by Render, like the secret key.
    assert web_env["METRICS_TOKEN"] == {"key": "METRICS_TOKEN", "generateValue": True}
    assert web_env["PUBLIC_URL"] == {"key": "PUBLIC_URL", "sync": False}  # asked for at creation
    for key, entry in {e["key"]: e for e in worker["envVars"]}.items():
        source = entry.get("fromService")
        if source and source["type"] == "web":  # copied from the web service, which must set it
            assert source["envVarKey"] in {e["key"] for e in services[source["name"]]["envVars"]}, key


def test_compose_publishes_only_its_proxy_which_names_both_web_processes(compose):
    services = compose["services"]
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["proxy"]
    source, target = services["proxy"]["volumes"][0].split(":")[:2]
    assert target == "/etc/nginx/conf.d/default.conf" and (ROOT / source).is_file()
    upstreams = re.findall(r"server (\w+):(\d+);", (ROOT / source).read_text())
    webs = [name for name, s in services.items() if s.get("command", [""])[0] == "gunicorn"]
    assert sorted(upstreams) == sorted((name, "8000") for name in webs)
    assert services["web1"]["environment"]["PROXY_FIX_X_FOR"] == "1"

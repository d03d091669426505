"""docker-compose.yml, deploy/nginx.conf and .env.example, checked without a Docker engine: what they name must be
what the code reads, every long-running service must say how to tell it is healthy, images are pinned, and the
proxy's upload caps are the portal's own limits."""

import ast
import ipaddress
import re

import pytest
import yaml

from tests.ops.envnames import ROOT, code_env_names, env_example_names
from tests.ops.nginx import CONFIG, Nginx

COMPOSE = ROOT / "docker-compose.yml"
# Variables of the images compose runs, documented on their images' pages, not read by Posko.
IMAGE_VARIABLES = {
    "POSTGRES_DB": "postgres image",
    "POSTGRES_USER": "postgres image",
    "POSTGRES_PASSWORD": "postgres image",
    "POSTGRES_APP_PASSWORD": "deploy/postgres-init/10-posko-app-role.sh, run by the postgres image",
    "MINIO_ROOT_USER": "minio/minio and the bucket job (mc)",
    "MINIO_ROOT_PASSWORD": "minio/minio and the bucket job (mc)",
}
# Variables only compose itself reads (interpolation into the file).
COMPOSE_VARIABLES = {"POSKO_IMAGE_TAG"}
LONG_RUNNING = {
    "proxy",
    "web",
    "worker-quick",
    "worker-heavy",
    "worker-sweep",
    "beat",
    "db",
    "redis",
    "minio",
    "clamav",
}
ONE_SHOT = {"migrate", "bucket"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _interpolated(text: str) -> set[str]:
    return set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))


def _resolve(value: str) -> str:
    """${NAME:-default} and ${NAME:?message} as compose would with nothing set (default, or empty)."""
    return re.sub(r"\$\{[A-Z0-9_]+(?::-([^}]*)|:\?[^}]*)?\}", lambda m: m.group(1) or "", value)


def _setting_default(name: str) -> int:
    """The default of `env_int(name, default)` in posko/settings.py, read from the source."""
    tree = ast.parse((ROOT / "posko" / "settings.py").read_text())
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", "") == "env_int"
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == name
        ):
            return ast.literal_eval(node.args[1])
    raise AssertionError(f"{name} is not read with env_int in posko/settings.py")


def _nginx_caps() -> dict[str, int]:
    """client_max_body_size in MB: at the http level ("default") and per location (by its pattern)."""
    caps, location = {}, "default"
    for line in CONFIG.read_text().splitlines():
        line = line.split("#")[0].strip()
        m = re.match(r"location\s+(?:[~=]\s+)?(\S+)\s*\{", line)
        if m:
            location = m.group(1)
        m = re.match(r"client_max_body_size\s+(\d+)m;", line)
        if m:
            caps[location] = int(m.group(1))
    return caps


def test_env_example_names_every_setting_the_code_reads_with_a_comment():
    example = env_example_names()
    missing = {name: where for name, where in code_env_names().items() if name not in example}
    assert not missing, f".env.example lacks settings the code reads: {missing}"
    uncommented = [name for name, comment in example.items() if not comment.strip()]
    assert not uncommented, f"names in .env.example without a comment above them: {uncommented}"


def test_env_example_names_nothing_the_code_and_compose_do_not_read(compose):
    known = set(code_env_names()) | set(IMAGE_VARIABLES) | COMPOSE_VARIABLES
    stale = sorted(set(env_example_names()) - known)
    assert not stale, f".env.example names what nothing reads: {stale}"


def test_the_services_exist(compose):
    assert set(compose["services"]) == LONG_RUNNING | ONE_SHOT


def test_every_long_running_service_has_a_healthcheck_and_restarts(compose):
    for name in LONG_RUNNING:
        service = compose["services"][name]
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        assert service.get("restart") == "unless-stopped", name
    for name in ONE_SHOT:
        assert compose["services"][name]["restart"] == "no", name


def test_images_are_pinned_to_exact_versions(compose):
    for name, service in compose["services"].items():
        image = _resolve(service["image"])
        repository, _, tag = image.rpartition(":")
        assert repository and tag, f"{name}: {image} names no tag"
        assert tag != "latest" and tag != "stable", f"{name}: {image} is not pinned"
        assert re.search(r"\d+\.\d+|RELEASE\.\d{4}", tag), f"{name}: {image} is not an exact version"
    base = re.search(r"^FROM\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    assert re.search(r":\d+\.\d+\.\d+", base), f"the Dockerfile's base image {base} is not an exact version"


def test_every_environment_name_in_compose_is_read_by_the_code_or_an_image(compose):
    readable = set(code_env_names()) | set(IMAGE_VARIABLES)
    for name, service in compose["services"].items():
        unknown = set(service.get("environment", {})) - readable
        assert not unknown, f"{name} sets names nothing reads: {unknown}"
    documented = set(env_example_names())
    undocumented = _interpolated(COMPOSE.read_text()) - documented
    assert not undocumented, f"docker-compose.yml uses variables .env.example does not name: {undocumented}"


def test_one_worker_kind_per_queue_and_one_beat(compose, settings):
    kinds = {
        service["environment"].get("POSKO_WORKER_KIND")
        for service in compose["services"].values()
        if "worker" in str(service.get("command", "")).split()
    }
    assert kinds == set(settings.POSKO_QUEUES)
    beats = [n for n, s in compose["services"].items() if " beat" in str(s.get("command", ""))]
    assert beats == ["beat"]


def test_redis_keeps_the_queues_across_restarts(compose):
    command = compose["services"]["redis"]["command"]
    assert "--appendonly yes" in command
    assert "noeviction" in command
    assert any(v.endswith(":/data") for v in compose["services"]["redis"]["volumes"])


def test_the_proxy_is_the_only_way_in_and_the_app_believes_it(compose):
    services = compose["services"]
    published = [name for name, s in services.items() if s.get("ports")]
    assert published == ["proxy"]
    edge = ipaddress.ip_network(compose["networks"]["edge"]["ipam"]["config"][0]["subnet"])
    proxy_address = ipaddress.ip_address(services["proxy"]["networks"]["edge"]["ipv4_address"])
    web_env = services["web"]["environment"]
    assert proxy_address in ipaddress.ip_network(web_env["POSKO_PROXY_ADDRESSES"])
    assert ipaddress.ip_network(web_env["POSKO_PROXY_ADDRESSES"]) == edge
    monitoring = compose["networks"]["monitoring"]["ipam"]["config"][0]["subnet"]
    assert web_env["POSKO_METRICS_ALLOWED"] == monitoring
    assert "monitoring" in services["web"]["networks"]
    # The database, Redis and MinIO are on the internal network only.
    assert compose["networks"]["backend"]["internal"] is True
    for name in ("db", "redis", "minio"):
        assert services[name]["networks"] == ["backend"], name


def test_static_files_reach_the_proxy(compose):
    services = compose["services"]
    assert "static:/srv/static" in services["migrate"]["volumes"]
    assert "static:/srv/static:ro" in services["proxy"]["volumes"]
    assert "/srv/static/" in services["migrate"]["command"]
    assert "root /srv;" in CONFIG.read_text()


def test_nginx_caps_uploads_at_the_portal_limits():
    caps = _nginx_caps()
    report_mb = _setting_default("POSKO_MAX_REPORT_MB")
    # The report's files, plus Django's cap on the other fields (1 MB) and a MB of multipart framing.
    assert caps["^/(lapor/bukti/|api/v1/reports/$)"] == report_mb + 2
    # tus: a whole file fits in one PATCH, so a piece of any size the portal accepts does too.
    assert caps["/lapor/unggah/"] == _setting_default("POSKO_MAX_FILE_MB") + 1
    assert caps["/lapor/unggah/"] * 1024 >= _setting_default("POSKO_UPLOAD_CHUNK_KB")
    # Everything else: the largest other upload, a signed scan.
    assert caps["default"] == _setting_default("POSKO_SCAN_MAX_MB") + 1


def test_nginx_passes_the_client_and_hides_metrics():
    text = CONFIG.read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert re.search(r"location = /metrics \{ return 404; \}", text)
    assert "proxy_request_buffering on;" in text


def test_nginx_accepts_the_configuration(tmp_path):
    result = Nginx(tmp_path, "127.0.0.1:9", tmp_path).check()
    assert result.returncode == 0, result.stderr


def test_secrets_stay_out_of_the_image():
    ignored = {line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", "deploy/secrets", "deploy/tls"} <= ignored


def test_the_web_health_check_asks_with_a_host_the_example_allows(compose):
    """Django answers 400 to a Host it does not know: the health check's would mark web unhealthy forever."""
    check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    host = re.search(r"'Host': '([^']+)'", check).group(1)
    allowed = (
        re.search(r"^ALLOWED_HOSTS=(.*)$", (ROOT / ".env.example").read_text(), re.M).group(1).split(",")
    )
    assert host in allowed


def _portal(services: dict) -> list[str]:
    """The services that run Posko's own image: web, the workers, beat and migrate."""
    return [n for n, s in services.items() if "build" in s or str(s.get("image", "")).startswith("posko:")]


def test_the_portal_connects_as_a_role_that_owns_no_table(compose):
    """web, workers and beat run as posko_app (made by deploy/postgres-init, which tests/ops/test_production.py
    runs and then runs the portal as); only the one-shot `migrate` connects as the tables' owner."""
    services = compose["services"]
    for name in _portal(services):
        url = services[name].get("environment", {}).get("DATABASE_URL")
        if name == "migrate":
            assert url.startswith("postgres://posko:"), url
        else:
            assert url and url.startswith("postgres://posko_app:"), f"{name} connects as {url}"
    assert "./deploy/postgres-init:/docker-entrypoint-initdb.d:ro" in services["db"]["volumes"]
    assert (ROOT / "deploy" / "postgres-init" / "10-posko-app-role.sh").exists()


# Secrets of the database's owner and of MinIO's root account: only db, minio and the one-shot jobs need them.
OWNER_SECRETS = ("POSTGRES_PASSWORD", "POSTGRES_APP_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD")


def _env_file_values(service: dict) -> dict[str, str]:
    """What a service's env_file (.env, made from .env.example) puts into its container, every variable filled."""
    if not service.get("env_file"):
        return {}
    return {name: f"secret-{name.lower()}" for name in env_example_names()}


def test_the_portal_containers_get_neither_the_owners_nor_minio_roots_secrets(compose):
    """env_file passes all of .env into web, workers, beat and migrate; the keys that can switch off the
    append-only triggers (the tables' owner) or open every bucket (MinIO's root) must not reach them. The
    service's own `environment` wins over env_file, so blanking them there is enough."""
    services = compose["services"]
    portal = _portal(services)
    assert {"web", "worker-quick", "worker-heavy", "worker-sweep", "beat", "migrate"} <= set(portal)
    for name in portal:
        service = services[name]
        from_file = _env_file_values(service)
        assert "POSTGRES_PASSWORD" in from_file, f"{name} reads no .env: check the test"
        effective = from_file | {
            key: _resolve(str(value)) for key, value in (service.get("environment") or {}).items()
        }
        leaked = [key for key in OWNER_SECRETS if effective.get(key)]
        assert not leaked, f"{name} gets {leaked}"
    # The services that do need them still get them.
    assert services["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")
    assert services["minio"]["environment"]["MINIO_ROOT_PASSWORD"].startswith("${MINIO_ROOT_PASSWORD")
    assert services["bucket"]["environment"]["MINIO_ROOT_PASSWORD"].startswith("${MINIO_ROOT_PASSWORD")

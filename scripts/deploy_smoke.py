"""`make deploy-smoke`: build the images, start docker-compose.yml with podman, use it over HTTPS, remove it.

What a first deployment does, as an operator and as the people using it would,
each step timed:

- the images: a Debian 13 base made with debootstrap (no registry is needed),
  the app, PostgreSQL, Redis, Caddy and an SMTP sink (aiosmtpd) for the test;
- the whole stack with two web replicas behind the proxy, every health check
  passing, `check --deploy` without a warning inside the container;
- `first_start` (twice: nothing changes the second time), the administrator's
  first sign-in with an authenticator app (TOTP) and a second sign-in with it;
- the address in the audit log is the client's, not the proxy's;
- a tablet batch synced, a report produced by the report worker, its PDF
  downloaded, the "report ready" e-mail received with a link to the public
  address;
- the replicas share sessions, cache, sign-in limits and throttles, and write
  nothing to their own disks;
- a backup, the stack wiped, the backup restored: the same figures.

Everything it starts is removed at the end, also on failure. On a machine
without podman the test is skipped with a message (exit 0); anything else
that goes wrong fails it. Options: --keep (leave the stack running),
--no-restore (skip the backup and restore drill).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import email
import email.policy
import json
import mailbox
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "deploy-smoke"
PROJECT = "kvarter-smoke"
CONTAINERS_CONF = ROOT / "deploy" / "podman" / "containers.conf"
COMPOSE_BIN = Path(sys.executable).parent / "podman-compose"
HOST_CA_BUNDLE = Path(os.environ.get("KVARTER_BUILD_CA", "/etc/ssl/certs/ca-certificates.crt"))
# Where aardvark-dns keeps each network's names (rootful podman).
AARDVARK_CONFIG = Path("/run/containers/networks/aardvark-dns")
BASE_IMAGE = "debian:trixie-slim"
PODMAN_MANAGED = {"/etc", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname", "/run", "/run/.containerenv"}
# A base older than this is made again, so the images get Debian's updates.
BASE_IMAGE_MAX_AGE = dt.timedelta(days=7)
IMAGES = {
    "kvarter:latest": ROOT,
    "kvarter-postgres:latest": ROOT / "deploy" / "postgres",
    "kvarter-redis:latest": ROOT / "deploy" / "redis",
    "kvarter-caddy:latest": ROOT / "deploy" / "caddy",
    "kvarter-mailsink:latest": ROOT / "deploy" / "mailsink",
}
ADMIN_EMAIL = "admin@smoke.kvarter.example"
DEMO_PASSWORD = "kvarter-demo"  # noqa: S105 - the public demo logins of seed_demo
SPOOFED_ADDRESS = "198.51.100.7"  # documentation range (RFC 5737)
EXPORT_LIMIT = 6  # KVARTER_THROTTLE_EXPORT for this stack: small enough to reach


class SmokeFailure(Exception):
    pass


# --- output ----------------------------------------------------------------------

STARTED = time.monotonic()
TIMINGS: list[tuple[str, float]] = []


@contextlib.contextmanager
def step(title: str) -> Iterator[None]:
    begun = time.monotonic()
    print(f"[{begun - STARTED:6.1f}s] {title} ...", flush=True)
    yield
    took = time.monotonic() - begun
    TIMINGS.append((title, took))
    print(f"[{time.monotonic() - STARTED:6.1f}s]   ok ({took:.1f}s)", flush=True)


def note(text: str) -> None:
    print(f"           {text}", flush=True)


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


# --- podman --------------------------------------------------------------------------


def podman_env() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}


def run(
    args: list[str], *, input: bytes | None = None, check_rc: bool = True, timeout: float = 900, env: dict | None = None
) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(  # noqa: S603 - our own commands
        args, input=input, capture_output=True, timeout=timeout, env=env or podman_env(), cwd=ROOT, check=False
    )
    if check_rc and result.returncode != 0:
        raise SmokeFailure(
            f"{shlex.join(args)} exited {result.returncode}:\n"
            f"{result.stdout.decode(errors='replace')[-3000:]}\n{result.stderr.decode(errors='replace')[-3000:]}"
        )
    return result


def podman(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    return run(["podman", *args], **kwargs)


def podman_usable() -> str | None:
    """None when podman can run a container here, else why not."""
    if shutil.which("podman") is None:
        return "podman is not installed (apt-get install podman runc netavark aardvark-dns iptables)"
    if shutil.which("debootstrap") is None:
        return "debootstrap is not installed (apt-get install debootstrap)"
    result = run(["podman", "info", "--format", "{{.Host.OCIRuntime.Name}}"], check_rc=False, timeout=120)
    if result.returncode != 0:
        return f"podman cannot start here: {result.stderr.decode(errors='replace').strip()[-500:]}"
    return None


class Stack:
    """docker-compose.yml under podman-compose, as project `kvarter-smoke`, with this run's env file."""

    def __init__(self, env_file: Path) -> None:
        self.env_file = env_file
        self.env = {**podman_env(), "KVARTER_ENV_FILE": str(env_file)}

    def compose(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        command = [str(COMPOSE_BIN), "-p", PROJECT, "-f", str(ROOT / "docker-compose.yml")]
        command += ["--env-file", str(self.env_file), *args]
        return run(command, env=self.env, **kwargs)

    def containers(self, service: str | None = None) -> list[str]:
        args = ["ps", "-a", "--filter", f"label=io.podman.compose.project={PROJECT}", "--format", "{{.Names}}"]
        if service:
            args[4:4] = ["--filter", f"label=com.docker.compose.service={service}"]
        return sorted(podman(*args).stdout.decode().split())

    def container(self, service: str) -> str:
        names = self.containers(service)
        check(names, f"no container for {service}")
        return names[0]

    def exec(
        self, service_or_container: str, *command: str, input: bytes | None = None, user: str | None = None
    ) -> str:
        name = (
            service_or_container if service_or_container.startswith(PROJECT) else self.container(service_or_container)
        )
        args = ["exec", "-i"] if input is not None else ["exec"]
        if user:
            args += ["--user", user]
        return podman(*args, name, *command, input=input).stdout.decode()

    def manage(self, *command: str, container: str | None = None, input: bytes | None = None) -> str:
        return self.exec(container or "web", "python", "manage.py", *command, input=input)

    def shell(self, code: str, container: str | None = None) -> Any:
        """Run Python in a web replica with Django set up; its last printed line is JSON."""
        output = self.manage("shell", "--no-imports", "-c", code, container=container)
        return json.loads(output.strip().splitlines()[-1])

    def wait_healthy(self, services: list[str], timeout: float = 240) -> None:
        """Run each container's own health check (docker-compose.yml) until it passes.

        Podman schedules health checks with systemd timers; without systemd
        (these machines) nothing runs them, so the test does, with the command
        compose gave each container.
        """
        deadline = time.monotonic() + timeout
        pending = {name for service in services for name in self.containers(service)}
        check(pending, f"no containers for {services}")
        while pending:
            for name in sorted(pending):
                if podman("healthcheck", "run", name, check_rc=False, timeout=60).returncode == 0:
                    pending.discard(name)
            if not pending:
                break
            if time.monotonic() > deadline:
                logs = {
                    name: podman("logs", "--tail", "30", name, check_rc=False).stderr.decode()[-2000:]
                    for name in pending
                }
                raise SmokeFailure(f"not healthy after {timeout:.0f}s: {sorted(pending)}\n{logs}")
            time.sleep(2)

    def up(self, *, web_replicas: int, mail_dir: Path) -> None:
        """Start the services in the order their `depends_on` conditions give, waiting for each condition.

        podman 4.3 cannot wait for `service_healthy` (podman-compose says so
        and goes on), and its `--requires` links fail to start a container
        whose dependency has exited (the one-off `migrate`). So the test starts
        one tier at a time with --no-deps and waits itself, as Docker Compose
        does from the same file.
        """
        self.compose("up", "-d", "--no-build", "--no-deps", "db", "redis")
        self.wait_healthy(["db", "redis"])
        # The SMTP sink, on the stack's back-end network (made by the first
        # `up`) as `mailsink`; it keeps running across the restore drill.
        if not self.containers("mailsink"):
            podman(
                "run", "-d", "--name", f"{PROJECT}_mailsink", "--network", f"{PROJECT}_backend",
                "--network-alias", "mailsink", "--label", f"io.podman.compose.project={PROJECT}",
                "--label", "com.docker.compose.service=mailsink", "-v", f"{mail_dir}:/mail:Z",
                "kvarter-mailsink:latest",
            )  # fmt: skip
        self.compose("up", "-d", "--no-build", "--no-deps", "migrate")
        migrate = self.container("migrate")
        exit_code = podman("wait", migrate, timeout=600).stdout.decode().strip()
        if exit_code != "0":
            logs = podman("logs", migrate, check_rc=False)
            raise SmokeFailure(f"migrate exited {exit_code}:\n{(logs.stdout + logs.stderr).decode()[-3000:]}")
        services = ["web", "worker", "reports", "beat"]
        self.compose("up", "-d", "--no-build", "--no-deps", "--scale", f"web={web_replicas}", *services)
        self.wait_healthy(["web", "worker", "reports"])
        self.compose("up", "-d", "--no-build", "--no-deps", "proxy")
        self.wait_healthy(["proxy"])

    def down(self) -> None:
        self.compose("down", "-v", "--timeout", "10", check_rc=False, timeout=300)
        for name in self.containers():
            podman("rm", "-f", "--depend", name, check_rc=False)
        for volume in podman(
            "volume", "ls", "-q", "--filter", f"label=io.podman.compose.project={PROJECT}"
        ).stdout.split():
            podman("volume", "rm", "-f", volume.decode(), check_rc=False)
        for network in ("backend", "frontend"):
            name = f"{PROJECT}_{network}"
            podman("network", "rm", "-f", name, check_rc=False)
            # netavark 1.4 can leave a removed network's DNS entries behind when
            # a container on it was never started; a network made later under
            # the same name then keeps the old gateway and names do not resolve.
            if podman("network", "exists", name, check_rc=False).returncode != 0:
                (AARDVARK_CONFIG / name).unlink(missing_ok=True)


# --- images -------------------------------------------------------------------------------


def build_images() -> None:
    """The base from debootstrap unless a recent one is there, then the five images (podman's layer cache)."""
    result = podman("image", "inspect", "--format", "{{.Created}}", BASE_IMAGE, check_rc=False)
    fresh = False
    if result.returncode == 0:
        created = dt.datetime.fromisoformat(result.stdout.decode().strip()[:19])
        fresh = dt.datetime.now() - created < BASE_IMAGE_MAX_AGE  # noqa: DTZ005 - podman prints local time
    if not fresh:
        begun = time.monotonic()
        run(["bash", str(ROOT / "deploy" / "base-image.sh"), BASE_IMAGE], timeout=900)
        note(f"{BASE_IMAGE} made with debootstrap in {time.monotonic() - begun:.0f}s")
    else:
        note(f"{BASE_IMAGE} is recent; kept")
    secret = ["--secret", f"id=build_ca,src={HOST_CA_BUNDLE}"] if HOST_CA_BUNDLE.exists() else []
    # The small images build while the app's does: most of their time is downloading.
    processes = {}
    for image, context in IMAGES.items():
        args = ["podman", "build", "--quiet", "--pull=never", "-t", image, *secret, str(context)]
        log = (WORK / f"build-{image.split(':')[0]}.log").open("wb")
        processes[image] = (
            subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=podman_env(), cwd=ROOT),  # noqa: S603
            time.monotonic(),
            log,
        )
    finished: dict[str, float] = {}
    while len(finished) < len(processes):
        for image, (process, _, _) in processes.items():
            if image not in finished and process.poll() is not None:
                finished[image] = time.monotonic()
        time.sleep(0.5)
    for image, (process, begun, log) in processes.items():
        returncode = process.wait()
        log.close()
        took = finished[image] - begun
        if returncode != 0:
            tail = (WORK / f"build-{image.split(':')[0]}.log").read_text(errors="replace")[-3000:]
            raise SmokeFailure(f"building {image} failed:\n{tail}")
        size = int(podman("image", "inspect", "--format", "{{.Size}}", image).stdout.decode())
        note(f"{image}: {size / 1e6:.0f} MB, built in {took:.0f}s")


# --- the stack's settings -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_env(https_port: int, http_port: int) -> tuple[Path, str]:
    base_url = f"https://localhost:{https_port}"
    settings = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": secrets.token_hex(24),
        "REDIS_PASSWORD": secrets.token_hex(24),
        "KVARTER_DOMAIN": "localhost",
        # Caddy's own CA: the test trusts its root, fetched from the proxy.
        "KVARTER_TLS": "internal",
        # Loopback only, on ports nobody uses.
        "KVARTER_HTTPS_PORT": f"127.0.0.1:{https_port}",
        "KVARTER_HTTP_PORT": f"127.0.0.1:{http_port}",
        "ALLOWED_HOSTS": "localhost",
        "CSRF_TRUSTED_ORIGINS": base_url,
        "KVARTER_BASE_URL": base_url,
        "EMAIL_URL": "smtp://mailsink:1025",
        "DEFAULT_FROM_EMAIL": "Kvarter <noreply@smoke.kvarter.example>",
        "ADMINS": "ops@smoke.kvarter.example",
        "KVARTER_MFA_ENCRYPTION_KEYS": _fernet_key(),
        # No internet here: the common-password list instead of Have I Been Pwned.
        "KVARTER_PWNED_PASSWORDS_URL": "",
        "KVARTER_THROTTLE_EXPORT": f"{EXPORT_LIMIT}/h",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
    }
    path = WORK / "smoke.env"
    path.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
    path.chmod(0o600)
    return path, base_url


def _fernet_key() -> str:
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


# --- the client ---------------------------------------------------------------------------


class Browser:
    """A person's browser over HTTPS through the proxy, verifying Caddy's certificate."""

    def __init__(self, base_url: str, ca_file: Path) -> None:
        import requests

        self.base_url = base_url
        self.session = requests.Session()
        # Only this stack's CA, whatever REQUESTS_CA_BUNDLE or a proxy variable says.
        self.session.trust_env = False
        self.session.verify = str(ca_file)
        self.session.headers["Accept-Language"] = "en"
        self.session.headers["User-Agent"] = f"kvarter-deploy-smoke/{uuid.uuid4().hex[:8]}"

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.session.get(self.base_url + path, timeout=60, **kwargs)

    def post(self, path: str, data: Any = None, *, json_body: Any = None, **kwargs: Any) -> Any:
        # Django checks the origin of every HTTPS POST; a browser sends it.
        headers = {"Origin": self.base_url, "Referer": self.base_url + path, **kwargs.pop("headers", {})}
        csrf = self.session.cookies.get("__Host-csrftoken")
        if csrf:
            headers["X-CSRFToken"] = csrf
        return self.session.post(self.base_url + path, data=data, json=json_body, headers=headers, timeout=60, **kwargs)

    def form(self, path: str, fields: dict[str, str], *, page: str | None = None) -> Any:
        """GET the page with the form (for its CSRF token), POST the fields, follow redirects."""
        response = self.get(page or path)
        check(response.status_code == 200, f"GET {page or path}: {response.status_code}")
        token = _csrf_token(response.text)
        return self.post(path, {"csrfmiddlewaretoken": token, **fields})

    def sign_in(self, email_address: str, password: str) -> Any:
        return self.form("/accounts/login/", {"login": email_address, "password": password})

    def sign_in_with_code(self, email_address: str, password: str, secret: str) -> Any:
        """Password, then the authenticator's code (production asks every manager and strategist)."""
        response = self.sign_in(email_address, password)
        check(response.url.endswith("/accounts/2fa/authenticate/"), f"no second step: {response.url}")
        # A code not used before: near the end of a 30-second step, wait for the next.
        time.sleep(max(0.0, 31 - time.time() % 30) if time.time() % 30 > 25 else 0)
        return self.form("/accounts/2fa/authenticate/", {"code": totp(secret)})


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    check(match, "no CSRF token in the page")
    return match.group(1)  # type: ignore[union-attr]


def totp(secret: str) -> str:
    import pyotp

    return pyotp.TOTP(secret).now()


def set_up_second_factor(browser: Browser, response: Any, password: str) -> str:
    """After a first sign-in that production sends to the authenticator set-up: enrol one, return its secret."""
    if "/accounts/reauthenticate/" in response.url:
        # Adding a factor is a sensitive change: the password once more.
        response = browser.form(response.url.removeprefix(browser.base_url), {"password": password})
    check(response.url.endswith("/accounts/2fa/totp/activate/"), f"sent to {response.url}, not the set-up")
    match = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', response.text) or re.search(
        r'value="([A-Z2-7]{16,})"', response.text
    )
    check(match, "no authenticator secret on the set-up page")
    secret = match.group(1)  # type: ignore[union-attr]
    # Straight from this page: a new GET of it would make a new secret.
    token = _csrf_token(response.text)
    response = browser.post("/accounts/2fa/totp/activate/", {"csrfmiddlewaretoken": token, "code": totp(secret)})
    check(response.status_code == 200 and "/2fa/totp/activate" not in response.url, f"activation: {response.url}")
    return secret


# --- the steps ----------------------------------------------------------------------------------


def served_by(stack: Stack, webs: list[str], marker: str) -> dict[str, int]:
    """How many requests carrying `marker` each web replica answered (gunicorn's access log)."""
    counts = {}
    for name in webs:
        log = podman("logs", name, check_rc=False)
        text = (log.stdout + log.stderr).decode(errors="replace")
        counts[name] = text.count(marker)
    return counts


def figures(stack: Stack) -> dict[str, Any]:
    """What must survive a backup and restore: row counts, attendance sums, report files and their bytes."""
    code = """
import hashlib, json, os
from django.apps import apps
from django.conf import settings
from django.db.models import Sum
from activities.models import Tally
from reporting.models import Report
counts = {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.app_label in
          ("accounts", "venues", "activities", "volunteers", "partnerships", "reporting", "core", "mfa")}
files = {}
for folder, _, names in os.walk(settings.MEDIA_ROOT):
    for name in names:
        path = os.path.join(folder, name)
        files[os.path.relpath(path, settings.MEDIA_ROOT)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
print(json.dumps({
    "rows": counts,
    "visits": Tally.objects.aggregate(v=Sum("visits"), f=Sum("first_visits")),
    "reports": sorted((r.file.name, r.pages, r.version) for r in Report.objects.all()),
    "media": files,
}, sort_keys=True, default=str))
"""
    return stack.shell(code)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave the stack running at the end")
    parser.add_argument("--no-restore", action="store_true", help="skip the backup and restore drill")
    options = parser.parse_args()

    reason = podman_usable()
    if reason:
        print(f"SKIPPED deploy smoke test: {reason}.")
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    mail_dir = WORK / "mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    mailbox.Maildir(mail_dir, create=True)  # the sink delivers into it
    https_port, http_port = free_port(), free_port()
    env_file, base_url = write_env(https_port, http_port)
    stack = Stack(env_file)
    stack.down()  # what a killed earlier run may have left
    ok = False
    try:
        with step("Images (base from debootstrap, app, PostgreSQL, Redis, Caddy, SMTP sink)"):
            build_images()

        with step("The whole stack, two web replicas, every health check passing"):
            stack.up(web_replicas=2, mail_dir=mail_dir)
            webs = stack.containers("web")
            check(len(webs) == 2, f"two web replicas, not {webs}")
            published = podman(
                "ps", "--filter", f"label=io.podman.compose.project={PROJECT}", "--format", "{{.Names}} {{.Ports}}"
            ).stdout.decode()
            note("published: " + "; ".join(line for line in published.splitlines() if "->" in line))
            check(
                [line.split()[0] for line in published.splitlines() if "->" in line] == [stack.container("proxy")],
                f"only the proxy publishes ports:\n{published}",
            )

        with step("check --deploy inside the web container: no warnings"):
            output = stack.manage("check", "--deploy", "--fail-level", "WARNING")
            check("System check identified no issues (0 silenced)." in output, output)
            note(output.strip())

        with step("Non-root app user, read-only root file systems"):
            for service in ("web", "worker", "reports", "beat"):
                for name in stack.containers(service):
                    user = stack.exec(name, "id", "-un").strip()
                    check(user == "kvarter", f"{name} runs as {user}")
                    read_only = (
                        podman("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", name).stdout.decode().strip()
                    )
                    check(read_only == "true", f"{name}: root file system writable")
            owner = stack.exec("web", "stat", "-c", "%U", "/app/media").strip()
            check(owner == "kvarter", f"/app/media belongs to {owner}")
            stack.exec("web", "sh", "-c", "! touch /app/static-probe 2>/dev/null")

        ca_file = WORK / "caddy-root.crt"
        ca_file.write_text(stack.exec("proxy", "cat", "/data/caddy/pki/authorities/local/root.crt"))

        with step("HTTPS through the proxy; plain HTTP redirects; /healthz"):
            import requests

            http = requests.Session()
            http.trust_env = False
            plain = http.get(
                f"http://127.0.0.1:{http_port}/", headers={"Host": "localhost"}, allow_redirects=False, timeout=30
            )
            check(
                plain.status_code in (301, 308) and plain.headers["Location"].startswith("https://"),
                f"HTTP: {plain.status_code}",
            )
            health = Browser(base_url, ca_file).get("/healthz")
            check(health.status_code == 200 and health.json()["ok"], f"/healthz: {health.status_code} {health.text}")
            page = Browser(base_url, ca_file).get("/accounts/login/")
            check("max-age=31536000" in page.headers.get("Strict-Transport-Security", ""), "no HSTS header")

        with step("first_start on the empty database, twice (the second changes nothing)"):
            args = ["first_start", "--organisation", "Smoke kommun", "--country", "SE", "--email", ADMIN_EMAIL]
            # The operator's own password this time (the generated one has its unit test).
            password = secrets.token_urlsafe(18)
            first = stack.manage(*args, "--password-stdin", input=f"{password}\n".encode())
            state = (
                "import json; from accounts.models import Membership, Organisation, User; "
                "from core.models import AuditLogEntry; print(json.dumps([Organisation.objects.count(), "
                "User.objects.count(), list(Membership.objects.values_list('role', flat=True)), "
                "AuditLogEntry.objects.filter(action__in=['organisation.created', 'user.created', "
                "'membership.created']).count()]))"
            )
            created = stack.shell(state)
            again = stack.manage(*args, "--password-stdin", input=f"{password}\n".encode())
            check(created == [1, 1, ["administrator"], 3], f"after the first run: {created}")
            check(stack.shell(state) == created, "the second run changed something")
            check(first != again, "the second run says the same as the first")
            note(" ".join(first.split()[:5]) + " ... / again: " + " ".join(again.split()[:5]) + " ...")

        admin = Browser(base_url, ca_file)
        # A client that claims another address: the proxy replaces the header.
        admin.session.headers["X-Forwarded-For"] = SPOOFED_ADDRESS
        with step("The administrator's first sign-in sets up an authenticator app (TOTP)"):
            response = admin.sign_in(ADMIN_EMAIL, password)
            secret = set_up_second_factor(admin, response, password)
            check(admin.get("/admin/").status_code == 200, "the admin after setting up the second factor")
            admin.form("/accounts/logout/", {})

            again = Browser(base_url, ca_file)
            response = again.sign_in_with_code(ADMIN_EMAIL, password, secret)
            check(again.get("/admin/").status_code == 200, f"signed in with the code: {response.url}")

        with step("The audit log has the client's address, not the proxy's"):
            proxy_ips = set(
                podman(
                    "inspect",
                    "--format",
                    "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
                    stack.container("proxy"),
                )
                .stdout.decode()
                .split()
            )
            seen = set()
            for line in podman("logs", stack.container("proxy")).stdout.decode(errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    entry = json.loads(line)
                    request = entry.get("request", {})
                    if request.get("uri") == "/accounts/login/" and request.get("method") == "POST":
                        seen.add(request.get("remote_ip"))
            check(len(seen) == 1, f"the proxy saw sign-ins from {seen}")
            (client_ip,) = seen
            audit = stack.shell(
                "import json; from core.models import AuditLogEntry; "
                f"print(json.dumps(sorted(set(AuditLogEntry.objects.filter(action='user.signed_in', actor__email='{ADMIN_EMAIL}').values_list('ip_address', flat=True)))))"
            )
            check(audit == [client_ip], f"audit log has {audit}, the proxy saw the client at {client_ip}")
            check(client_ip not in proxy_ips, f"{client_ip} is the proxy's own address")
            check(client_ip != SPOOFED_ADDRESS, "the address the client claimed was believed")
            note(f"audit log: {audit}; the proxy saw {client_ip}; the proxy is {sorted(proxy_ips)}")

        with step("Demo data (seed_demo --force)"):
            stack.manage("seed_demo", "--force")

        leader = Browser(base_url, ca_file)
        with step("A leader syncs a tablet batch; the replay is a duplicate"):
            response = leader.sign_in("leader@demo.kvarter.example", DEMO_PASSWORD)
            check(
                response.status_code == 200 and "/accounts/login" not in response.url, f"leader sign-in: {response.url}"
            )
            today = leader.get("/api/attendance/sessions/today").json()["sessions"]
            check(today, "the demo leader has no session today")
            session_id = today[0]["id"]
            page = leader.get(f"/attendance/sessions/{session_id}/")
            band = re.search(r'data-band="(\d+)"', page.text)
            check(band, "no age band on the tablet page")
            before = leader.get(f"/api/attendance/sessions/{session_id}").json()["visits"]
            events = [
                {
                    "id": str(uuid.uuid4()),
                    "session": session_id,
                    "kind": "tally",
                    "at": dt.datetime.now(dt.UTC).isoformat(),
                    "payload": {"age_band": int(band.group(1)), "gender": gender, "visits": 1, "first_visits": 0},  # type: ignore[union-attr]
                }
                for gender in ("F", "M", "F")
            ]
            batch = {"device": "deploy smoke tablet", "events": events}
            answer = leader.post("/api/attendance/sync", json_body=batch)
            check(answer.status_code == 200, f"sync: {answer.status_code} {answer.text[:500]}")
            check([r["status"] for r in answer.json()["results"]] == ["accepted"] * 3, answer.text[:500])
            replay = leader.post("/api/attendance/sync", json_body=batch)
            check([r["status"] for r in replay.json()["results"]] == ["duplicate"] * 3, replay.text[:500])
            after = leader.get(f"/api/attendance/sessions/{session_id}").json()["visits"]
            check(after == before + 3, f"visits {before} -> {after}")
            note(f"session {session_id}: visits {before} -> {after}")

        strategist = Browser(base_url, ca_file)
        with step("A strategist asks for a report; the report worker makes the PDF"):
            response = strategist.sign_in("strategist@demo.kvarter.example", DEMO_PASSWORD)
            check("/accounts/login" not in response.url, f"strategist sign-in: {response.url}")
            # A strategist reads a whole municipality's figures: a second factor first.
            strategist_secret = set_up_second_factor(strategist, response, DEMO_PASSWORD)
            dashboard = strategist.get("/reports/").text
            scope = re.search(r'<option value="(programme:\d+)"[^>]*>\s*Connexion West\s*<', dashboard)
            check(scope, "Connexion West is not among the strategist's scopes")
            response = strategist.form(
                "/reports/request/",
                {"scope": scope.group(1), "year": "2018", "language": "sv"},
                page="/reports/",  # type: ignore[union-attr]
            )
            request_id = re.search(r"/reports/requests/(\d+)/", response.url)
            check(request_id, f"no report request: {response.url}")
            status_url = f"/reports/requests/{request_id.group(1)}/status/"  # type: ignore[union-attr]
            deadline = time.monotonic() + 240
            while True:
                status = strategist.get(status_url).json()
                if status["finished"] or time.monotonic() > deadline:
                    break
                time.sleep(1)
            check(status["status"] == "done", f"report: {status}")
            pdf = strategist.get(status["download_url"])
            check(pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), f"PDF download: {pdf.status_code}")
            (WORK / "report.pdf").write_bytes(pdf.content)
            text = run(["pdftotext", str(WORK / "report.pdf"), "-"], env=os.environ.copy()).stdout.decode()
            check("Connexion West" in text and "2018" in text, "the PDF does not read as the report")
            worker_log = (
                podman("logs", stack.container("reports")).stdout + podman("logs", stack.container("reports")).stderr
            )
            check(b"reporting.produce_report" in worker_log, "the report worker did not produce it")
            note(f"{status['pages']} pages, {len(pdf.content)} bytes, made by {stack.container('reports')}")

        with step("The 'report ready' e-mail reaches the SMTP sink, linking to the public address"):
            deadline = time.monotonic() + 120
            messages: list[Any] = []
            while time.monotonic() < deadline and not messages:
                messages = [m for m in mailbox.Maildir(mail_dir, factory=None) if "strategist@" in (m["To"] or "")]
                time.sleep(1)
            check(messages, "no e-mail to the strategist")
            message = email.message_from_bytes(messages[0].as_bytes(), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            links = re.findall(r"https?://\S+", body)
            check(links and all(link.startswith(base_url + "/") for link in links), f"links: {links}")
            via_link = strategist.get(links[0].removeprefix(base_url))
            check(via_link.content == pdf.content, "the e-mail's link gives another file")
            mail_log = (
                podman("logs", stack.container("worker")).stdout + podman("logs", stack.container("worker")).stderr
            )
            check(b"reporting.send_report_ready" in mail_log, "the mail worker did not send it")
            note(f"'{message['Subject']}' -> {links[0]}")

        with step("Two replicas share sessions, cache, sign-in limits and throttles"):
            marker = f"smoke-{uuid.uuid4().hex[:8]}"
            for i in range(8):
                response = strategist.get(f"/reports/?{marker}={i}", allow_redirects=False)
                check(response.status_code == 200, f"request {i} lost the session: {response.status_code}")
            served = served_by(stack, webs, marker)
            check(all(served.values()), f"one replica answered everything: {served}")
            note(f"one session, 8 requests: {served}")

            token = secrets.token_hex(8)
            stack.shell(
                f"from django.core.cache import cache; cache.set('deploy-smoke', '{token}', 300); print(1)",
                container=webs[0],
            )
            seen_token = stack.shell(
                "import json; from django.core.cache import cache; print(json.dumps(cache.get('deploy-smoke')))",
                container=webs[1],
            )
            check(seen_token == token, "the second replica does not see the first's cache")

            marker = f"limit-{uuid.uuid4().hex[:8]}"
            guesser = Browser(base_url, ca_file)
            for _ in range(5):
                guesser.form(
                    f"/accounts/login/?{marker}",
                    {"login": "volunteer@demo.kvarter.example", "password": "not the password"},
                )
            locked = guesser.form(
                f"/accounts/login/?{marker}", {"login": "volunteer@demo.kvarter.example", "password": DEMO_PASSWORD}
            )
            check("Too many failed login attempts" in locked.text, "the sixth sign-in was let through")
            served = served_by(stack, webs, marker)
            check(all(served.values()), f"one replica counted every failure: {served}")
            note(f"5 wrong passwords over both replicas lock the account: {served}")

            marker = f"throttle-{uuid.uuid4().hex[:8]}"
            report_id = status["download_url"].strip("/").split("/")[-2]
            answers = [
                strategist.get(f"/reports/{report_id}/figures.csv?{marker}={i}").status_code
                for i in range(EXPORT_LIMIT + 1)
            ]
            # Two downloads already counted: the PDF and the e-mail's link.
            check(answers == [200] * (EXPORT_LIMIT - 2) + [429] * 3, f"export throttle: {answers}")
            served = served_by(stack, webs, marker)
            check(all(served.values()), f"one replica answered every download: {served}")
            note(f"exports {answers} with the limit {EXPORT_LIMIT}/h over both replicas: {served}")

        with step("Nothing lives on one replica's disk"):
            for name in webs + stack.containers("worker") + stack.containers("reports"):
                # Podman itself mounts /etc/hosts, resolv.conf and hostname (so /etc "changed").
                changes = [
                    line
                    for line in podman("diff", name).stdout.decode().splitlines()
                    if line.split()[-1] not in PODMAN_MANAGED
                ]
                check(not changes, f"{name} wrote to its own disk: {changes}")
            listed = {name: stack.exec(name, "sh", "-c", "find /app/media -type f | sort").split() for name in webs}
            check(listed[webs[0]] == listed[webs[1]] and listed[webs[0]], f"media differs between replicas: {listed}")
            note(f"{len(listed[webs[0]])} files in the shared media volume, the same on both replicas")

        if not options.no_restore:
            backup_dir = WORK / "backup"
            shutil.rmtree(backup_dir, ignore_errors=True)
            compose = f"{COMPOSE_BIN} -p {PROJECT} -f {ROOT / 'docker-compose.yml'} --env-file {env_file}"
            script_env = {**stack.env, "COMPOSE": compose}
            before = figures(stack)
            with step("Backup (pg_dump and the media volume)"):
                run(["bash", str(ROOT / "deploy" / "backup.sh"), str(backup_dir)], env=script_env)
                dump = next(backup_dir.glob("*.dump"))
                media = next(backup_dir.glob("*-media.tar"))
                note(
                    f"{dump.name} {dump.stat().st_size / 1e6:.1f} MB, {media.name} {media.stat().st_size / 1e6:.1f} MB"
                )

            with step("Wipe: every container and volume of the stack removed"):
                stack.compose("down", "-v", "--timeout", "10", timeout=300)
                # podman-compose's `down` knows one replica of each service; the rest by hand.
                for name in stack.containers("web"):
                    podman("rm", "-f", name)
                for volume in ("media", "pgdata", "redisdata", "caddy-data", "caddy-config"):
                    podman("volume", "rm", "-f", f"{PROJECT}_{volume}", check_rc=False)
                check(stack.containers() == [f"{PROJECT}_mailsink"], f"containers left: {stack.containers()}")
                left = podman(
                    "volume", "ls", "-q", "--filter", f"label=io.podman.compose.project={PROJECT}"
                ).stdout.split()
                check(not left, f"volumes left: {left}")

            with step("Restore into the empty stack: the same figures"):
                run(["bash", str(ROOT / "deploy" / "restore.sh"), str(dump), str(media)], env=script_env, timeout=900)
                stack.up(web_replicas=2, mail_dir=mail_dir)
                ca_file.write_text(stack.exec("proxy", "cat", "/data/caddy/pki/authorities/local/root.crt"))
                after = figures(stack)
                differences = {key for key in before if before[key] != after[key]}
                check(not differences, f"restored figures differ in {differences}")
                rows = before["rows"]
                note(
                    f"the same: {sum(rows.values())} rows in {len(rows)} tables "
                    f"(sessions {rows['activities.Session']}, audit entries {rows['core.AuditLogEntry']}), "
                    f"visits {before['visits']['v']} / first visits {before['visits']['f']}, "
                    f"{len(before['media'])} media files with the same SHA-256, reports {before['reports']}"
                )
                again = Browser(base_url, ca_file)
                again.sign_in_with_code("strategist@demo.kvarter.example", DEMO_PASSWORD, strategist_secret)
                restored = again.get(status["download_url"])
                check(restored.content == pdf.content, "the restored report PDF differs")

        ok = True
    except Exception as failure:  # noqa: BLE001 - any failure: say what, show the logs, clean up
        print(f"\nFAILED: {failure}", file=sys.stderr)
        with contextlib.suppress(Exception):
            for name in stack.containers():
                tail = podman("logs", "--tail", "25", name, check_rc=False)
                print(f"--- {name}\n{(tail.stdout + tail.stderr).decode(errors='replace')}", file=sys.stderr)
    finally:
        if options.keep and ok:
            print(f"The stack is still running ({base_url}); remove it with: podman-compose -p {PROJECT} down -v")
        else:
            with step("Stop and remove everything"):
                podman("rm", "-f", f"{PROJECT}_mailsink", check_rc=False)
                stack.down()
                # This run's secrets and backup go with the stack.
                env_file.unlink(missing_ok=True)
                shutil.rmtree(WORK / "backup", ignore_errors=True)
    print("\nDeploy smoke test" + (" passed" if ok else " FAILED"))
    for title, took in TIMINGS:
        print(f"  {took:6.1f}s  {title}")
    print(f"  {time.monotonic() - STARTED:6.1f}s  in all")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

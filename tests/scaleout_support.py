"""Throwaway PostgreSQL, Redis and app servers on loopback, for the scale-out test and benchmarks.

Everything listens on 127.0.0.1 on a free port, keeps its data in a temporary directory, and is
stopped (then killed if it lingers) by `stop()`; `Services` stops what it started in reverse.
PostgreSQL refuses to run as root, so as root initdb and postgres run as the `postgres` system
user (what `runuser -u postgres --` does, but through subprocess's `user=`: runuser would put
the server in a session of its own, out of reach of our signals), in a directory it owns.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from glob import glob
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
PG_USER = "consult"
PG_DATABASE = "consult"


class ServiceUnavailable(RuntimeError):
    """A server binary is missing or would not start."""


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def postgres_bin_dir() -> Path | None:
    """The newest Debian PostgreSQL under /usr/lib/postgresql/<version>/bin, if any."""
    candidates = [Path(p).parent for p in glob("/usr/lib/postgresql/*/bin/postgres")]
    candidates.sort(key=lambda p: _version_key(p.parent.name), reverse=True)
    return candidates[0] if candidates else None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def redis_server_bin() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )


def missing_binaries() -> list[str]:
    """What `make system-test-deps` would install: empty when both servers can start."""
    missing = []
    if postgres_bin_dir() is None:
        missing.append(
            "PostgreSQL (/usr/lib/postgresql/*/bin/postgres, apt-get install postgresql)"
        )
    if redis_server_bin() is None:
        missing.append("Redis (redis-server, apt-get install redis-server)")
    return missing


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Wait until something accepts connections on the port (or the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServiceUnavailable(f"exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 0.2):
            return
        time.sleep(0.05)
    raise ServiceUnavailable(f"nothing listens on {LOOPBACK}:{port} after {timeout:.0f} s")


def _stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 10) -> None:
    """Signal the process (and its group), then kill it if it is still there after `grace`."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


class Postgres:
    """A private PostgreSQL cluster: initdb in a temp dir, postgres on a free loopback port."""

    def __init__(self, workdir: Path) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise ServiceUnavailable("PostgreSQL binaries not found")
        self.bin_dir = bin_dir
        self.dir = workdir / "postgres"
        self.dir.mkdir()
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = self.dir / "postgres.log"
        self.as_postgres: dict = {}
        if os.geteuid() == 0:
            self.as_postgres = {"user": "postgres", "group": "postgres", "extra_groups": []}
            shutil.chown(self.dir, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{PG_USER}@{LOOPBACK}:{self.port}/{PG_DATABASE}"

    def start(self) -> Postgres:
        data = self.dir / "data"
        subprocess.run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                PG_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=60,
            cwd=self.dir,
            **self.as_postgres,
        )
        # Durability is not what this cluster is for; speed and isolation are.
        settings = {
            "listen_addresses": LOOPBACK,
            "port": str(self.port),
            "unix_socket_directories": str(self.dir),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "100",
        }
        options = [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
        with open(self.log_path, "wb") as log:
            if self.as_postgres:
                shutil.chown(self.log_path, "postgres", "postgres")
            self.process = subprocess.Popen(
                [str(self.bin_dir / "postgres"), "-D", str(data), *options],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=self.dir,
                **self.as_postgres,
            )
        try:
            wait_for_port(self.port, 30, self.process)
            self._create_database()
        except Exception as error:
            self.stop()
            raise ServiceUnavailable(f"PostgreSQL did not start: {error}\n{self.log()}") from error
        return self

    def _create_database(self) -> None:
        import psycopg

        deadline = time.monotonic() + 20
        while True:
            try:
                with psycopg.connect(
                    host=LOOPBACK, port=self.port, user=PG_USER, dbname="postgres", autocommit=True
                ) as connection:
                    connection.execute(f"CREATE DATABASE {PG_DATABASE}")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        # SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to leave.
        if self.process is not None:
            _stop_process(self.process, signal.SIGINT)


class Redis:
    """A private redis-server without persistence on a free loopback port."""

    def __init__(self, workdir: Path) -> None:
        binary = redis_server_bin()
        if binary is None:
            raise ServiceUnavailable("redis-server not found")
        self.binary = binary
        self.dir = workdir / "redis"
        self.dir.mkdir()
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = self.dir / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self) -> Redis:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--bind",
                    LOOPBACK,
                    "--port",
                    str(self.port),
                    "--dir",
                    str(self.dir),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--protected-mode",
                    "yes",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            wait_for_port(self.port, 15, self.process)
        except ServiceUnavailable as error:
            self.stop()
            raise ServiceUnavailable(f"Redis did not start: {error}\n{self.log()}") from error
        return self

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None:
            _stop_process(self.process)


def app_environment(
    workdir: Path,
    database_url: str,
    message_queue: str | None = None,
    secret: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment of every consult process in one deployment: same database, queue, key."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CONSULT_", "FLASK_", "WERKZEUG_"))
    }
    env.update(
        CONSULT_ENV="production",
        CONSULT_SECRET_KEY=secret or secrets.token_hex(32),
        # A Fernet key (32 random bytes, URL-safe base64) for confidential content at rest.
        CONSULT_CONTENT_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        CONSULT_DATABASE_URL=database_url,
        CONSULT_SECURE_COOKIES="0",  # plain HTTP on loopback: no TLS proxy in front here
        CONSULT_MAIL_BACKEND="file",
        CONSULT_MAIL_FILE_DIR=str(workdir / "mail"),
        CONSULT_LOG_FORMAT="json",
        PYTHONUNBUFFERED="1",
    )
    if message_queue:
        env["CONSULT_MESSAGE_QUEUE"] = message_queue
    env.update(extra)
    return env


def consult_command(args: Sequence[str], env: dict[str, str], timeout: float = 120) -> str:
    """Run `consult <args>` (the console script next to this interpreter); fail with its output."""
    result = subprocess.run(
        [str(BIN / "consult"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"consult {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class AppServer:
    """The production entry: gunicorn with gunicorn.conf.py and wsgi:app, one worker."""

    def __init__(
        self,
        workdir: Path,
        env: dict[str, str],
        name: str = "app",
        target: str = "wsgi:app",
        **extra: str,
    ) -> None:
        self.port = free_port()
        self.name = name
        self.target = target
        self.env = {**env, "HOST": LOOPBACK, "PORT": str(self.port), **extra}
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def command(self) -> list[str]:
        return [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), self.target]

    def start(self, timeout: float = 30) -> AppServer:
        return self.launch().wait_ready(timeout)

    def launch(self) -> AppServer:
        """Start the process and return at once (several servers can boot side by side)."""
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = 30) -> AppServer:
        """Wait until /health answers 200; stop the server and fail if it does not."""
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServiceUnavailable(f"{self.name} exited:\n{self.log()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base_url + "/health", timeout=2).status_code == 200:
                    return self
            time.sleep(0.1)
        self.stop()
        raise ServiceUnavailable(f"{self.name} did not answer /health:\n{self.log()}")

    def worker_pid(self) -> int | None:
        """The gunicorn worker's pid (the master's only child), for memory figures."""
        if self.process is None:
            return None
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            pids = children.read_text().split()
        except OSError:
            return None
        return int(pids[0]) if pids else None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def kill(self) -> None:
        """Die at once, as a crashed machine would: no graceful shutdown."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None:
            _stop_process(self.process, signal.SIGTERM, grace=15)


class Sender:
    """`consult send-mail`, the mail sender as production runs it: its own process."""

    def __init__(self, workdir: Path, env: dict[str, str], name: str = "sender") -> None:
        self.name = name
        self.env = env
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Sender:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(BIN / "consult"), "send-mail", "--every", "0.3"],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None:
            _stop_process(self.process, signal.SIGTERM, grace=10)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc: load-independent."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    """Resident memory of a process, in KiB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Services:
    """Starts services in a temp dir and stops all of them, newest first, whatever happens."""

    def __init__(self, prefix: str = "consult-scaleout-") -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix=prefix))
        # The postgres user must reach its own subdirectory; nothing secret lives here.
        os.chmod(self.workdir, 0o755)  # noqa: S103
        self.started: list[Postgres | Redis | AppServer | Sender] = []

    def postgres(self) -> Postgres:
        return self._start(Postgres(self.workdir))

    def redis(self) -> Redis:
        return self._start(Redis(self.workdir))

    def app(
        self,
        env: dict[str, str],
        name: str,
        target: str = "wsgi:app",
        wait: bool = True,
        **extra: str,
    ) -> AppServer:
        """An app server; with wait=False it is only launched (call wait_ready() later)."""
        server = AppServer(self.workdir, env, name, target, **extra)
        self.started.append(server)
        return server.start() if wait else server.launch()

    def sender(self, env: dict[str, str], name: str = "sender") -> Sender:
        """A mail sender process (several may run: each message is claimed once)."""
        return self._start(Sender(self.workdir, env, name))

    def _start(self, service):
        self.started.append(service)
        return service.start()

    def close(self) -> None:
        errors = []
        for service in reversed(self.started):
            try:
                service.stop()
            except Exception as error:  # noqa: BLE001 - stop the others, then report
                errors.append(error)
        self.started.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)
        if errors:
            raise errors[0]

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextlib.contextmanager
def services(prefix: str = "consult-scaleout-") -> Iterator[Services]:
    with Services(prefix) as started:
        yield started

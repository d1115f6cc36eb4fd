"""`setterdesk`: run the whole product locally, seed demo data, or simulate provider webhooks.

    setterdesk run        services (configured, local or embedded), migrations, demo data, the processes,
                      and the provider simulator the demo workspace sends through
setterdesk seed       only the demo data
setterdesk simulate   post realistic webhooks to a running server
setterdesk backfill-insights [--workspace ID] [--limit N]
                      insights for every booked lead lacking a current one, in this process
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from server.launcher.services import ServiceError, Services, bring_down, bring_up

if TYPE_CHECKING:
    from server.demo.seed import SeedResult

SECRET_KEY_FILE = "secret.key"  # noqa: S105 (a file name)
SIMULATOR_HOST = "127.0.0.1"


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        # As uvicorn binds: connections of a previous run lingering in TIME_WAIT do not make the port taken.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            return True
        except OSError:
            return False


def _seed(database_url: str, redis_url: str, providers_url: str | None = None) -> SeedResult:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    from server.core.settings import reset_settings_cache
    from server.demo.seed import DEMO_LOGINS, seed_demo

    reset_settings_cache()

    async def run() -> SeedResult:
        from server.core.db.engine import dispose_engine

        result = await seed_demo(providers_url=providers_url)
        await dispose_engine()
        if result.created:
            print(f"demo data: {result.leads} leads, {result.drafts} pending drafts")
        else:
            print("demo data: already there (reusing it)")
        return result

    result = asyncio.run(run())
    print("logins:")
    for login in DEMO_LOGINS:
        print(f"  {login.role:7} {login.email:26} password: {login.password}")
    return result


def secret_key(data_dir: Path) -> tuple[str, bool]:
    """SETTERDESK_SECRET_KEY, else the key kept in <data-dir>/secret.key, created (mode 0600) on the first run
    so that integration secrets stored then can still be read later. Returns the key and whether it was
    just created."""
    configured = os.environ.get("SETTERDESK_SECRET_KEY", "").strip()
    if configured:
        return configured, False
    from cryptography.fernet import Fernet

    path = data_dir / SECRET_KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        kept = path.read_text().strip()
        if kept:
            return kept, False
        raise ServiceError(f"{path} is empty: delete it, or set SETTERDESK_SECRET_KEY") from None
    key = Fernet.generate_key().decode()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key, True


def _free_local_port() -> int:
    with socket.socket() as sock:
        sock.bind((SIMULATOR_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _reachable_host(host: str) -> str:
    """The address to reach a server listening on `host` from this machine."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def _simulator_command(port: int, web_url: str, seeded: SeedResult) -> tuple[list[str], dict[str, str]]:
    """The provider simulator's command line and its own environment (keeps the webhook secret out of ps)."""
    module = [sys.executable, "-m", "server.demo.provider_simulator"]
    options = ["--host", SIMULATOR_HOST, "--port", str(port), "--webhooks", web_url]
    argv = [*module, *options, "--workspace", str(seeded.workspace_id)]
    return argv, {"PROVIDER_SIMULATOR_WEBHOOK_SECRET": seeded.webhook_secret}


def _migrate(database_url: str) -> None:
    from server.core.db.migrate import upgrade

    upgrade(database_url)


def run(args: argparse.Namespace) -> int:
    from server.core.settings import async_database_url
    from server.launcher.supervisor import Supervisor

    host = os.environ.get("HOST", "127.0.0.1")
    port = args.port or int(os.environ.get("PORT", "8000"))
    if not _port_free(host, port):
        print(f"setterdesk: port {port} on {host} is taken; stop what uses it or pass --port / set PORT")
        return 2
    services: Services | None = None
    try:
        services = bring_up(args.data_dir)
        if "postgres" in services.started:
            print(f"started embedded postgres (data in {args.data_dir})")
        if "redis" in services.started:
            print(f"started embedded redis on {services.redis_url} (data in {args.data_dir})")
        key, created = secret_key(args.data_dir)
        os.environ["SETTERDESK_SECRET_KEY"] = key  # the seed encrypts with it, and every child inherits it
        if created:
            print(f"created {args.data_dir / SECRET_KEY_FILE}: it encrypts integration secrets; keep it")
        _migrate(async_database_url(services.database_url))
        extra: dict[str, tuple[list[str], dict[str, str]]] = {}
        if not args.no_demo:
            simulator_port = _free_local_port()
            providers_url = f"http://{SIMULATOR_HOST}:{simulator_port}"
            seeded = _seed(services.database_url, services.redis_url, providers_url)
            web_url = f"http://{_reachable_host(host)}:{port}"
            extra["provider-simulator"] = _simulator_command(simulator_port, web_url, seeded)
            if seeded.providers_connected:
                providers = ", ".join(seeded.providers_connected)
                print(
                    f"sends go to the local provider simulator at {providers_url} ({providers}): "
                    "nothing reaches anyone; leads answer at times"
                )
        env = dict(os.environ)
        env.update(
            DATABASE_URL=services.database_url,
            REDIS_URL=services.redis_url,
            HOST=host,
            PORT=str(port),
            LOG_JSON=os.environ.get("LOG_JSON", "false"),
        )
        if not env.get("OPENAI_API_KEY"):
            print("model provider: OFFLINE (deterministic drafts, labelled 'offline'); set OPENAI_API_KEY")
        print(f"Setterdesk is starting on http://{host}:{port}  (Ctrl-C stops everything)")
        return Supervisor(env).run(["web", "worker", "scheduler"], extra=extra)
    except ServiceError as exc:
        print(f"setterdesk: {exc}")
        return 2
    finally:
        if services is not None:
            bring_down(services)
            print("stopped")


def simulate(args: argparse.Namespace) -> int:
    from server.demo.simulate import DEFAULT_LOGIN
    from server.demo.simulate import simulate as run_simulation

    sent = run_simulation(
        args.url,
        rate=args.rate,
        duration_s=args.duration,
        channels=args.channels.split(","),
        email=args.email or DEFAULT_LOGIN.email,
        password=args.password or DEFAULT_LOGIN.password,
        seed=args.seed,
    )
    print(f"simulate: {sent} webhooks accepted")
    return 0


def seed(args: argparse.Namespace) -> int:
    try:
        services = bring_up(args.data_dir)
    except ServiceError as exc:
        print(f"setterdesk: {exc}")
        return 2
    try:
        from server.core.settings import async_database_url

        _migrate(async_database_url(services.database_url))
        _seed(services.database_url, services.redis_url)
    finally:
        bring_down(services)
    return 0


MAX_FAILURES_LISTED = 50


def backfill_insights(args: argparse.Namespace) -> int:
    """Against the configured services (DATABASE_URL, REDIS_URL, OPENAI_API_KEY), like a worker."""
    import logging
    import uuid

    from redis.exceptions import RedisError

    from server.ai.providers.select import uses_openai
    from server.core.db.engine import dispose_engine
    from server.core.settings import get_settings
    from server.insights.booked_summaries import BackfillSummary
    from server.insights.booked_summaries import backfill_insights as run_backfill
    from server.launcher.progress import ProgressBar

    try:
        workspace_id = uuid.UUID(args.workspace) if args.workspace else None
    except ValueError:
        print(f"setterdesk: --workspace must be a workspace id, not {args.workspace!r}")
        return 2
    provider = "openai" if uses_openai(get_settings()) else "offline (deterministic)"
    print(f"backfill-insights: model provider {provider}", file=sys.stderr)
    if "LAUNCHER_LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(logging.ERROR)  # keep the bar on one line; failures are listed below
    bar = ProgressBar()

    async def backfill() -> BackfillSummary:
        try:
            return await run_backfill(
                workspace_id=workspace_id, limit=args.limit, include_failed=args.retry_failed, on_progress=bar
            )
        finally:
            await dispose_engine()

    try:
        summary = asyncio.run(backfill())
    except (OSError, RedisError) as exc:
        bar.close()
        print(
            f"setterdesk: cannot reach PostgreSQL or Redis ({type(exc).__name__}); "
            "check DATABASE_URL and REDIS_URL"
        )
        return 2
    bar.close()
    categories = ", ".join(f"{name}: {count}" for name, count in sorted(summary.failure_categories.items()))
    failed = f"{summary.failed} failed" + (f" ({categories})" if categories else "")
    print(
        f"backfill-insights: {summary.total} leads: {summary.done} done, {summary.skipped} skipped, "
        f"{failed}; {summary.model_calls} model calls"
    )
    for lead_id, category in list(summary.failed_leads.items())[:MAX_FAILURES_LISTED]:
        print(f"  failed: lead {lead_id}: {category}")
    return 1 if summary.failed else 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="setterdesk")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the whole product locally")
    run_parser.add_argument("--port", type=int, default=None)
    run_parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("SETTERDESK_DATA_DIR", ".data"))
    )
    run_parser.add_argument("--no-demo", action="store_true", help="do not create the demo workspace")
    run_parser.set_defaults(handler=run)
    seed_parser = commands.add_parser("seed", help="create the demo workspace")
    seed_parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("SETTERDESK_DATA_DIR", ".data"))
    )
    seed_parser.set_defaults(handler=seed)
    sim = commands.add_parser("simulate", help="post realistic webhooks to a running server")
    sim.add_argument("--url", default="http://127.0.0.1:8000")
    sim.add_argument("--rate", type=float, default=0.5, help="webhooks per second")
    sim.add_argument("--duration", type=float, default=60, help="seconds")
    sim.add_argument("--channels", default="email,sms,linkedin")
    sim.add_argument("--email", default=None)
    sim.add_argument("--password", default=None)
    sim.add_argument("--seed", type=int, default=7)
    sim.set_defaults(handler=simulate)
    backfill = commands.add_parser(
        "backfill-insights", help="insights for every booked lead lacking a current one, in this process"
    )
    backfill.add_argument("--workspace", default=None, help="only this workspace (id)")
    backfill.add_argument("--limit", type=int, default=None, help="at most this many leads")
    backfill.add_argument(
        "--retry-failed", action="store_true", help="also retry leads whose last extraction failed for good"
    )
    backfill.set_defaults(handler=backfill_insights)
    args = parser.parse_args(argv)
    from server.core.logging import configure_logging

    # The launcher's own work (migrations, demo data) only reports problems; the processes log as usual.
    configure_logging(os.environ.get("LAUNCHER_LOG_LEVEL", "WARNING"), json=False)
    sys.exit(args.handler(args))


if __name__ == "__main__":
    main()

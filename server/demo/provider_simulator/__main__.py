"""`python -m server.demo.provider_simulator`: the options, each with its environment variable (see the
package's docstring), then the server until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import os

import uvicorn

from server.core.logging import configure_logging, get_logger
from server.core.settings import get_settings
from server.demo.provider_simulator.followups import FollowUps, Timing, WebhookTarget
from server.demo.provider_simulator.routes import create_app

log = get_logger("server.demo.provider_simulator")

ENV_PREFIX = "PROVIDER_SIMULATOR_"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(ENV_PREFIX + name, default)


def _delay_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    bounds = float(low), float(high or low)
    if min(bounds) < 0:
        raise argparse.ArgumentTypeError("delays are seconds, 0 or more")
    return min(bounds), max(bounds)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m server.demo.provider_simulator",
        description="Local stand-in for EmailBison, GoHighLevel and Unipile; nothing is delivered to anyone.",
    )
    parser.add_argument("--host", default=_env("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(_env("PORT", "8010")))
    parser.add_argument(
        "--webhooks", default=_env("WEBHOOKS_URL", "http://127.0.0.1:8000"), help="our server"
    )
    parser.add_argument("--workspace", default=_env("WORKSPACE"), help="the workspace the webhooks are for")
    parser.add_argument(
        "--secret", default=_env("WEBHOOK_SECRET"), help="its webhook secret (prefer the env)"
    )
    parser.add_argument(
        "--seed", type=int, default=int(_env("SEED", "14")), help="which sends the lead answers"
    )
    parser.add_argument("--echo-delay", type=float, default=float(_env("ECHO_DELAY_S", "1")))
    parser.add_argument("--reply-chance", type=float, default=float(_env("REPLY_CHANCE", "0.33")))
    parser.add_argument(
        "--reply-delay",
        type=_delay_range,
        default=_delay_range(_env("REPLY_DELAY_S", "10,40")),
        help="MIN,MAX s",
    )
    args = parser.parse_args(argv)
    if not args.workspace or not args.secret:
        parser.error(
            f"the workspace and its webhook secret are required ({ENV_PREFIX}WORKSPACE, ..._WEBHOOK_SECRET)"
        )
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    target = WebhookTarget(base_url=args.webhooks, workspace_id=args.workspace, secret=args.secret)
    timing = Timing(
        echo_delay_s=args.echo_delay, reply_chance=args.reply_chance, reply_delay_s=args.reply_delay
    )
    followups = FollowUps(target, timing, seed=args.seed)
    log.info(
        "provider_simulator.started",
        note="provider simulator: sends are not delivered to anyone",
        url=f"http://{args.host}:{args.port}",
        webhooks=args.webhooks,
        workspace_id=args.workspace,
        reply_chance=timing.reply_chance,
    )
    uvicorn.run(
        create_app(followups),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )


if __name__ == "__main__":
    main()

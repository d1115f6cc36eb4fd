"""Every setting, read from the environment in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


def _str(name: str, default: str) -> str:
    raw = os.environ.get(name)
    return raw if raw not in (None, "") else default


_EFFORTS = ("", "minimal", "low", "medium", "high")


def _effort(name: str, default: str) -> str:
    """A reasoning effort; "none" (or empty) sends none. Anything else is a configuration mistake."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    value = "" if value == "none" else value
    if value not in _EFFORTS:
        raise ValueError(f"{name} must be one of minimal, low, medium, high or none, not {raw!r}")
    return value


def async_database_url(url: str) -> str:
    """Accept the URLs platforms hand out and pick the asyncpg driver ourselves."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/setterdesk"
    redis_url: str = "redis://127.0.0.1:6379/0"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True
    signup_enabled: bool = True
    cookie_secure: bool = False
    webhook_max_body_bytes: int = 1_048_576
    # Webhooks one web process works on at once; more are turned away with 503 + Retry-After (providers retry)
    # instead of queueing until the provider's own timeout gives up on them.
    webhook_max_in_flight: int = 64
    # A webhook still waiting for a worker this long after its hand-over is handed over again (a lost job).
    webhook_requeue_after_s: float = 120.0
    db_pool_size: int = 20
    db_max_overflow: int = 10
    # Messages waiting to be written to one websocket; a client further behind is closed with 1013.
    ws_send_queue_max: int = 1000

    # Dramatiq: the broker's key namespace; a dead worker's messages are redelivered once its heartbeat is
    # this old (ms), but only when a broker command runs queue maintenance, which this many in a million do
    # (Dramatiq's 1000 left a dead worker's jobs waiting ~15 minutes on an idle system; 1 in 100 is cheap).
    dramatiq_namespace: str = "setterdesk"
    dramatiq_heartbeat_timeout_ms: int = 60_000
    dramatiq_maintenance_chance: int = 10_000
    # Younger outbox jobs are left to the transaction that wrote them, which hands them over after commit.
    outbox_relay_after_s: float = 15.0

    # Model provider: "openai" when a key is set (or forced), "offline" otherwise.
    llm_provider: str = "offline"
    openai_api_key: str = field(default="", repr=False)
    # Sending: the first retry of a 429/5xx/refused send waits about this long, each next one 3× longer.
    send_retry_base_s: float = 5.0
    # GoHighLevel: at most this many requests per location in any window, across every worker (its own limit).
    ghl_rate_limit: int = 100
    ghl_rate_window_s: float = 10.0
    # Encrypts integration secrets at rest (server/integrations/secrets.py); comma-separated for rotation.
    secret_key: str = field(default="", repr=False)
    openai_base_url: str = ""
    openai_timeout_s: float = 60.0
    openai_max_attempts: int = 4
    openai_backoff_base_s: float = 0.5
    model_classify: str = "gpt-5-mini"
    model_draft: str = "gpt-5-mini"
    model_verify: str = "gpt-5-mini"
    model_overseer: str = "gpt-5-mini"
    model_insights: str = "gpt-5-mini"
    # Reasoning effort per task on reasoning models (server/ai/reasoning.py); "" sends none.
    reasoning_classify: str = "minimal"
    reasoning_draft: str = "low"
    reasoning_verify: str = "minimal"
    reasoning_overseer: str = "minimal"
    reasoning_insights: str = "low"
    meeting_overseer_enabled: bool = True
    email_verifier_enabled: bool = True

    manual_draft_concurrency: int = 2
    manual_draft_timeout_s: float = 30.0
    transcript_message_limit: int = 80

    insights_batch_size: int = 25
    insights_interval_s: int = 900

    @classmethod
    def from_env(cls) -> Settings:
        key = _str("OPENAI_API_KEY", "")
        provider = _str("LLM_PROVIDER", "openai" if key else "offline").lower()
        return cls(
            database_url=async_database_url(_str("DATABASE_URL", cls.database_url)),
            redis_url=_str("REDIS_URL", cls.redis_url),
            host=_str("HOST", cls.host),
            port=_int("PORT", cls.port),
            log_level=_str("LOG_LEVEL", cls.log_level).upper(),
            log_json=_bool("LOG_JSON", cls.log_json),
            signup_enabled=_bool("SIGNUP_ENABLED", cls.signup_enabled),
            cookie_secure=_bool("COOKIE_SECURE", cls.cookie_secure),
            webhook_max_body_bytes=_int("WEBHOOK_MAX_BODY_BYTES", cls.webhook_max_body_bytes),
            webhook_max_in_flight=_int("WEBHOOK_MAX_IN_FLIGHT", cls.webhook_max_in_flight),
            webhook_requeue_after_s=_float("WEBHOOK_REQUEUE_AFTER_S", cls.webhook_requeue_after_s),
            db_pool_size=_int("DB_POOL_SIZE", cls.db_pool_size),
            db_max_overflow=_int("DB_MAX_OVERFLOW", cls.db_max_overflow),
            ws_send_queue_max=_int("WS_SEND_QUEUE_MAX", cls.ws_send_queue_max),
            dramatiq_namespace=_str("DRAMATIQ_NAMESPACE", cls.dramatiq_namespace),
            dramatiq_heartbeat_timeout_ms=_int(
                "DRAMATIQ_HEARTBEAT_TIMEOUT_MS", cls.dramatiq_heartbeat_timeout_ms
            ),
            dramatiq_maintenance_chance=_int("DRAMATIQ_MAINTENANCE_CHANCE", cls.dramatiq_maintenance_chance),
            outbox_relay_after_s=_float("OUTBOX_RELAY_AFTER_S", cls.outbox_relay_after_s),
            llm_provider=provider,
            openai_api_key=key,
            secret_key=_str("SETTERDESK_SECRET_KEY", ""),
            send_retry_base_s=_float("SEND_RETRY_BASE_S", cls.send_retry_base_s),
            ghl_rate_limit=_int("GHL_RATE_LIMIT", cls.ghl_rate_limit),
            ghl_rate_window_s=_float("GHL_RATE_WINDOW_S", cls.ghl_rate_window_s),
            openai_base_url=_str("OPENAI_BASE_URL", ""),
            openai_timeout_s=_float("OPENAI_TIMEOUT_S", cls.openai_timeout_s),
            openai_max_attempts=_int("OPENAI_MAX_ATTEMPTS", cls.openai_max_attempts),
            openai_backoff_base_s=_float("OPENAI_BACKOFF_BASE_S", cls.openai_backoff_base_s),
            model_classify=_str("MODEL_CLASSIFY", cls.model_classify),
            model_draft=_str("MODEL_DRAFT", cls.model_draft),
            model_verify=_str("MODEL_VERIFY", cls.model_verify),
            model_overseer=_str("MODEL_OVERSEER", cls.model_overseer),
            model_insights=_str("MODEL_INSIGHTS", cls.model_insights),
            reasoning_classify=_effort("REASONING_CLASSIFY", cls.reasoning_classify),
            reasoning_draft=_effort("REASONING_DRAFT", cls.reasoning_draft),
            reasoning_verify=_effort("REASONING_VERIFY", cls.reasoning_verify),
            reasoning_overseer=_effort("REASONING_OVERSEER", cls.reasoning_overseer),
            reasoning_insights=_effort("REASONING_INSIGHTS", cls.reasoning_insights),
            meeting_overseer_enabled=_bool("MEETING_OVERSEER_ENABLED", cls.meeting_overseer_enabled),
            email_verifier_enabled=_bool("EMAIL_VERIFIER_ENABLED", cls.email_verifier_enabled),
            manual_draft_concurrency=_int("MANUAL_DRAFT_CONCURRENCY", cls.manual_draft_concurrency),
            manual_draft_timeout_s=_float("MANUAL_DRAFT_TIMEOUT_S", cls.manual_draft_timeout_s),
            transcript_message_limit=_int("TRANSCRIPT_MESSAGE_LIMIT", cls.transcript_message_limit),
            insights_batch_size=_int("INSIGHTS_BATCH_SIZE", cls.insights_batch_size),
            insights_interval_s=_int("INSIGHTS_INTERVAL_S", cls.insights_interval_s),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()


def reset_settings_cache() -> None:
    """Tests change the environment; this makes the next get_settings() read it again."""
    get_settings.cache_clear()

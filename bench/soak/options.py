"""The soak run's options."""

from __future__ import annotations

from dataclasses import dataclass

from bench.database import database_url

DATABASE_URL = database_url()


@dataclass(frozen=True)
class Options:
    duration_s: float
    rate: float
    sockets: int
    workspaces: int
    lead_share: float
    existing_share: float
    warmup_s: float
    settle_s: float
    drain_s: float
    connect_batch: int
    retries: int
    redis_url: str
    as_json: bool

    def team(self, workspace: int) -> int:
        """Sockets of workspace `workspace` (socket n belongs to workspace n % workspaces)."""
        whole, extra = divmod(self.sockets, self.workspaces)
        return whole + (workspace < extra)

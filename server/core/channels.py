"""The words every concept shares for a message: its channel, its direction, who sent it."""

from __future__ import annotations

from typing import Literal

Channel = Literal["email", "sms", "linkedin"]
Direction = Literal["inbound", "outbound"]
SentBy = Literal["lead", "setter", "ai", "provider"]

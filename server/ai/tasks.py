"""Task names: how the runner labels a call in logs and how the offline provider picks its answer."""

from __future__ import annotations

from typing import Final

SENTIMENT_CLASSIFICATION: Final = "sentiment_classification"
EMAIL_STRATEGY: Final = "email_strategy"
EMAIL_DRAFT: Final = "email_draft"
EMAIL_VERIFY: Final = "email_verify"
SMS_DRAFT: Final = "sms_draft"
LINKEDIN_DRAFT: Final = "linkedin_draft"
MEETING_OVERSEER: Final = "meeting_overseer"
THREAD_COMPRESSION: Final = "thread_compression"
CONVERSATION_INSIGHT: Final = "conversation_insight"

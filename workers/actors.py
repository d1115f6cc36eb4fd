"""Every actor the workers run. Each concept defines its own in its `tasks.py`; importing them here
registers them on the broker. The workers start what the concepts define, nothing more."""

from __future__ import annotations

from server.drafts import tasks as draft_tasks
from server.inbound import tasks as inbound_tasks
from server.insights import tasks as insight_tasks
from server.sending import tasks as sending_tasks

TASK_MODULES = (inbound_tasks, draft_tasks, insight_tasks, sending_tasks)

"""An in-process ModelProvider for domain tests: scripted answers per task, the offline provider otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from server.ai.providers.base import ModelRequest, ModelResponse
from server.ai.providers.offline import OfflineProvider

# A dict is answered as completed JSON; a ModelResponse as is; an exception is raised; a callable is asked.
Answer = dict[str, Any] | ModelResponse | BaseException | Callable[[ModelRequest], Any]


class ScriptedProvider:
    name = "scripted"

    def __init__(self, answers: dict[str, Answer] | None = None) -> None:
        self.answers = dict(answers or {})
        self.calls: list[ModelRequest] = []
        self._offline = OfflineProvider()

    def tasks_called(self) -> list[str]:
        return [call.task for call in self.calls]

    async def respond(self, request: ModelRequest) -> ModelResponse:
        self.calls.append(request)
        answer = self.answers.get(request.task)
        if callable(answer) and not isinstance(answer, BaseException | ModelResponse):
            answer = answer(request)
        if answer is None:
            return await self._offline.respond(request)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, ModelResponse):
            return answer
        return completed(answer)


def completed(data: dict[str, Any]) -> ModelResponse:
    return ModelResponse(
        status="completed", output_text=json.dumps(data), model="scripted", provider="offline"
    )


def truncated(text: str = '{"verdict": "edited", "body": "Hi Da') -> ModelResponse:
    return ModelResponse(
        status="incomplete",
        incomplete_reason="max_output_tokens",
        output_text=text,
        model="scripted",
        provider="offline",
    )


class NoModelCalls:
    """A provider that fails the test if anything asks it."""

    name = "offline"

    async def respond(self, request: ModelRequest) -> ModelResponse:
        raise AssertionError(f"unexpected model call for {request.task}")

"""Admission of billable calls against the shared limits (services/common/usage/limiter.py): a
request is admitted on an estimate and, when its reply ends, charged what the upstream reported.

The estimate needs no JSON parse: request bytes / 4 for the prompt plus the request's max_tokens
(or USAGE_DEFAULT_COMPLETION_TOKENS). The actual counts are read from the reply's tail (OpenAI
``usage``, Ollama ``prompt_eval_count``/``eval_count``); a reply without them keeps the estimate.
Nothing of this runs for a caller without limits.
"""

import asyncio
import re
from collections.abc import AsyncIterator

from services.common.identity import Identity
from services.common.usage.limit_settings import LimitSettings
from services.common.usage.limiter import FREE, Limiter, Ticket
from services.inference.replies import Head, Part
from services.inference.usage_tally import UsageTally

_MAX_TOKENS = re.compile(rb'"(?:max_tokens|max_completion_tokens|num_predict)"\s*:\s*(\d+)')
_USAGE = b'"usage"'
_PROMPT = re.compile(rb'"(?:prompt_tokens|input_tokens)"\s*:\s*(\d+)')
_COMPLETION = re.compile(rb'"(?:completion_tokens|output_tokens)"\s*:\s*(\d+)')
_OLLAMA_PROMPT = re.compile(rb'"prompt_eval_count"\s*:\s*(\d+)')
_OLLAMA_OUTPUT = re.compile(rb'"eval_count"\s*:\s*(\d+)')
# Pass-through paths that reach a model (the rest, model lists and admin calls, are not billed).
_BILLABLE_PATH = re.compile(
    r"^/(api/(embed|embeddings|generate|chat)|v1/(chat/completions|completions|embeddings)"
    r"|chat/completions|completions|embeddings)(/\d+)?/?$"
)
# Enough of a reply's end to hold its usage object (the last SSE chunk, or a JSON reply's tail).
_TAIL_BYTES = 8192


def estimate_tokens(raw: bytes, completion_default: int, embeddings: bool = False) -> int:
    """Prompt bytes / 4 (a rough, generous tokens count) plus the output the request may ask for."""
    prompt = len(raw) // 4 + 1
    if embeddings:
        return prompt
    found = _MAX_TOKENS.search(raw)
    return prompt + (int(found.group(1)) if found else completion_default)


def tokens_in_tail(tail: bytes) -> int | None:
    """Input + output tokens the last usage object in ``tail`` reports, or None."""
    at = tail.rfind(_USAGE)
    if at >= 0:
        prompt = _PROMPT.search(tail, at)
        if prompt is not None:
            completion = _COMPLETION.search(tail, at)
            return int(prompt.group(1)) + (int(completion.group(1)) if completion else 0)
    prompts = _OLLAMA_PROMPT.findall(tail)
    outputs = _OLLAMA_OUTPUT.findall(tail)
    if prompts or outputs:
        return (int(prompts[-1]) if prompts else 0) + (int(outputs[-1]) if outputs else 0)
    return None


def is_billable_path(path: str) -> bool:
    return _BILLABLE_PATH.match(path) is not None


class QuotaGate:
    def __init__(self, limiter: Limiter, settings: LimitSettings) -> None:
        self.limiter = limiter
        self._settings = settings
        # Settlements run as tasks (a reply closed by a client that left must still be charged).
        self._settling: set[asyncio.Task] = set()

    async def admit(self, caller: Identity, raw: bytes, embeddings: bool = False) -> Ticket:
        """Admits the call or raises RateLimited (HTTP 429 with x-ratelimit-* headers)."""
        default = self._settings.default_completion_tokens
        return await self.limiter.admit(caller, lambda: estimate_tokens(raw, default, embeddings))

    async def charged(
        self, ticket: Ticket, parts: AsyncIterator[Part], tally: UsageTally | None = None
    ) -> AsyncIterator[Part]:
        """The reply's parts, unchanged; when they end the ticket is settled at the reported usage:
        what ``tally`` summed over the reply's upstream calls (a chat completion's tool rounds)
        where it has any, else the reply's own tail."""
        if ticket is FREE:
            async for part in parts:
                yield part
            return
        tail = b""
        try:
            async for part in parts:
                if isinstance(part, Head):
                    # A reply under limits says how much is left, as OpenAI's do.
                    part = Head(part.status, {**part.headers, **ticket.headers}, part.streaming)
                else:
                    tail = (tail + part)[-_TAIL_BYTES:]
                yield part
        finally:
            summed = tally.total() if tally is not None else None
            task = asyncio.ensure_future(
                ticket.settle(summed if summed is not None else tokens_in_tail(tail))
            )
            self._settling.add(task)
            task.add_done_callback(self._settling.discard)

"""Filter functions around a chat: which run for a model, in what order, and each hook's call."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.common.errors import Timeout
from services.common.identity import Identity
from services.inference.functions.invoke import FunctionTimeout, call_hook
from services.inference.functions.loader import make_valves
from services.inference.functions.records import ActiveFunction, FunctionSnapshot

log = logging.getLogger(__name__)


def select_filters(
    snapshot: FunctionSnapshot, model_filter_ids: object, requested_ids: object
) -> list[ActiveFunction]:
    """Open WebUI's selection: active global filters and the model's ``meta.filterIds``; a
    toggleable filter only when the request names it in ``filter_ids``; lowest priority first."""
    wanted = {f.id for f in snapshot.of_type("filter") if f.record.is_global}
    if isinstance(model_filter_ids, list):
        wanted.update(i for i in model_filter_ids if isinstance(i, str))
    # Only names count: a list or object in ``filter_ids`` names no filter (and is unhashable).
    requested = {i for i in requested_ids if isinstance(i, str)} if isinstance(requested_ids, list) else set()
    chosen = [
        f
        for i in wanted
        if (f := snapshot.functions.get(i)) is not None
        and f.loaded.type == "filter"
        and (not f.loaded.toggle or f.id in requested)
    ]
    return sorted(chosen, key=lambda f: (f.priority, f.id))


async def _no_emitter(event: object) -> None:
    """API callers have no socket to receive status events: they are dropped."""
    log.debug("event from a function dropped (no UI session): %s", type(event).__name__)


@dataclass
class HookContext:
    """What a hook may ask for by argument name."""

    caller: Identity
    model: dict
    metadata: dict
    # Stored user valves of the caller, by function id.
    user_valves: dict[str, dict] = field(default_factory=dict)

    def user(self, function: ActiveFunction) -> dict:
        user = {
            "id": self.caller.user_id,
            "email": self.caller.email,
            "name": self.caller.name,
            "role": self.caller.role,
        }
        if function.loaded.has_user_valves:
            user["valves"] = make_valves(function.loaded, self.user_valves.get(function.id), "user")
        return user

    def injected(self, function: ActiveFunction, with_emitter: bool) -> dict[str, object]:
        return {
            "__user__": self.user(function),
            "__metadata__": self.metadata,
            "__model__": self.model,
            "__id__": function.id,
            "__event_emitter__": _no_emitter if with_emitter else None,
            "__event_call__": None,
            "__request__": None,
            "__chat_id__": self.metadata.get("chat_id"),
            "__message_id__": self.metadata.get("message_id"),
            "__session_id__": self.metadata.get("session_id"),
        }


def prepare(function: ActiveFunction) -> object:
    """The function's instance with its current valves (Open WebUI re-reads them before each call)."""
    instance = function.loaded.instance
    if function.valves is not None:
        instance.valves = function.valves  # type: ignore[attr-defined]
    return instance


class FilterRunner:
    def __init__(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s

    async def run(
        self, hook: str, filters: Sequence[ActiveFunction], payload: object, ctx: HookContext
    ) -> object:
        """``payload`` through each filter's ``hook`` in order. The user code's exceptions propagate
        (the caller decides: an inlet's becomes a 400); a hook past its time is ``Timeout`` (504).
        A ``stream`` hook returning something falsy drops the event (None is returned)."""
        for function in filters:
            method = getattr(prepare(function), hook, None)
            if not callable(method):
                continue
            try:
                # By keyword, as Open WebUI calls hooks: ``body=`` (``event=`` for ``stream``).
                injected = {
                    "event" if hook == "stream" else "body": payload,
                    **ctx.injected(function, hook == "inlet"),
                }
                result = await call_hook(method, (), injected, self._timeout_s)
            except FunctionTimeout as error:
                raise Timeout(f"Filter '{function.id}' {hook}: {error}") from None
            if hook == "stream":
                if not result:
                    return None
                payload = result
            elif result is not None:
                payload = result
        return payload

    @staticmethod
    def with_hook(filters: Sequence[ActiveFunction], hook: str) -> list[ActiveFunction]:
        return [f for f in filters if callable(getattr(f.loaded.instance, hook, None))]

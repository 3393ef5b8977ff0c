"""What a completion's reply leaves in its stored assistant message: the text, Open WebUI's
``output`` items, the normalised ``usage``, ``sources``, and an ``error`` when it failed or was cut
short. Reads the reply as the pipeline yields it (a JSON body, or stream events)."""

import uuid

from services.inference.replies import loads
from services.inference.sse import Marker, Relayed

INTERRUPTED = "The reply was cut short: the client disconnected before it was complete."
STREAM_FAILED = "The reply was cut short: the upstream stream failed."


def normalised_usage(usage: object) -> dict | None:
    """The provider's usage with Open WebUI's ``input_tokens``/``output_tokens``/``total_tokens``."""
    if not isinstance(usage, dict):
        return None
    normal = dict(usage)
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if isinstance(prompt, int):
        normal.setdefault("input_tokens", prompt)
    if isinstance(completion, int):
        normal.setdefault("output_tokens", completion)
    if isinstance(prompt, int) and isinstance(completion, int):
        normal.setdefault("total_tokens", prompt + completion)
    return normal


def _error_text(value: object) -> str | None:
    if isinstance(value, dict):
        for key in ("message", "detail", "content"):
            if isinstance(value.get(key), str):
                return value[key]
        return None
    return value if isinstance(value, str) else None


class ReplyRecord:
    """The reply read so far."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.reasoning: list[str] = []
        self.usage: dict | None = None
        self.sources: list | None = None
        self.error: str | None = None
        self.model: str | None = None
        # Tool rounds (``function_call``/``function_call_output`` items, and the text said before
        # each round), in order; ``given_output``: a whole reply's own ``output`` list.
        self.items: list[dict] = []
        self._said = 0
        self.given_output: list[dict] | None = None

    @property
    def content(self) -> str:
        return "".join(self.parts)

    def failed(self, text: str) -> None:
        self.error = self.error or text

    def read_body(self, status: int, raw: bytes) -> None:
        """A whole (non-streamed) reply."""
        try:
            reply = loads(raw)
        except ValueError:
            reply = None
        if status >= 400:
            detail = reply.get("error", reply.get("detail")) if isinstance(reply, dict) else None
            self.failed(_error_text(detail) or raw.decode("utf-8", "replace")[:1000] or f"HTTP {status}")
            return
        if not isinstance(reply, dict):
            return
        self._read_chunk(reply, "message")

    def read_event(self, event: object) -> None:
        """One stream event (a dict, an upstream's relayed event, or a stream end)."""
        if event is Marker.FAILED:
            self.failed(STREAM_FAILED)
            return
        if isinstance(event, Marker):
            return
        if isinstance(event, Relayed):
            try:
                event = event.data()
            except ValueError:
                return
        if isinstance(event, dict):
            self._read_chunk(event, "delta")

    def _read_chunk(self, chunk: dict, key: str) -> None:
        if isinstance(chunk.get("sources"), list):
            self.sources = chunk["sources"]
        if "error" in chunk and ("choices" not in chunk or isinstance(chunk["error"], dict)):
            self.failed(_error_text(chunk["error"]) or "The upstream answered with an error")
        output = chunk.get("output")
        if isinstance(output, list):
            self._read_output([item for item in output if isinstance(item, dict)], key == "message")
        if isinstance(chunk.get("model"), str):
            self.model = chunk["model"]
        usage = normalised_usage(chunk.get("usage"))
        if usage is not None:
            self.usage = usage
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            return
        part = choices[0].get(key)
        if not isinstance(part, dict):
            return
        if isinstance(part.get("content"), str):
            self.parts.append(part["content"])
        for name in ("reasoning_content", "reasoning"):
            if isinstance(part.get(name), str):
                self.reasoning.append(part[name])
                break

    def _read_output(self, items: list[dict], whole: bool) -> None:
        if whole:
            self.given_output = items
            return
        said = "".join(self.parts[self._said :])
        self._said = len(self.parts)
        if said:
            self.items.append(_message_item(said, "completed"))
        self.items.extend(items)

    def fields(self, earlier_content: str = "") -> dict:
        """The assistant message's new keys (``earlier_content``: the text a continued reply had)."""
        # PostgreSQL text cannot hold NUL, which an upstream may send.
        # After tool rounds, the content is the final answer (what was said before a round is in
        # its own ``message`` item), as in a whole reply.
        answer = "".join(self.parts[self._said :])
        content = (earlier_content + answer).replace("\x00", "")
        output: list[dict] = []
        if self.reasoning:
            output.append(
                {
                    "type": "reasoning",
                    "id": f"rs_{uuid.uuid4().hex}",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": "".join(self.reasoning).replace("\x00", "")}],
                }
            )
        status = "incomplete" if self.error else "completed"
        if self.given_output is not None:
            output.extend(self.given_output)
        else:
            output.extend(self.items)
            output.append(_message_item(content, status))
        fields: dict = {"content": content, "output": output, "done": True}
        if self.usage is not None:
            fields["usage"] = self.usage
        if self.sources:
            fields["sources"] = self.sources
        if self.error is not None:
            fields["error"] = {"content": self.error.replace("\x00", "")}
        return fields


def _message_item(text: str, status: str) -> dict:
    return {
        "type": "message",
        "id": f"msg_{uuid.uuid4().hex}",
        "status": status,
        "role": "assistant",
        "content": [{"type": "output_text", "text": text}],
    }

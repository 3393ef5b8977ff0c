"""Open WebUI's tasks (/api/v1/tasks): titles, tags, follow-ups, queries, autocompletion, emoji,
image prompts and MoA."""

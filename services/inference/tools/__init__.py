"""Tools (Open WebUI's ``/api/v1/tools`` and ``tool_ids`` in chat completions): Python tools and
OpenAPI tool servers, resolved for a caller into functions the chat pipeline offers the model and
runs when the model calls them."""

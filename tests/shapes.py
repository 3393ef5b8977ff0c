"""Open WebUI's shapes that tests of several layers check against."""

# The key order of the usage object Open WebUI builds from an Ollama reply.
USAGE_KEYS = [
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "response_token/s",
    "prompt_token/s",
    "total_duration",
    "load_duration",
    "prompt_eval_count",
    "prompt_eval_duration",
    "eval_count",
    "eval_duration",
    "approximate_total",
    "completion_tokens_details",
]

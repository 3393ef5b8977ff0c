"""Fake LLM upstreams (Ollama, OpenAI-compatible): import from tests.fakes.ollama and tests.fakes.openai."""

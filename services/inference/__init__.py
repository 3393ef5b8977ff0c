"""Inference service: models, chat completions, the Ollama/OpenAI proxies, functions and workspace
models over gRPC."""

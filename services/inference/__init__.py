"""Inference service: model routing and chat completions over gRPC (RPCs arrive in step 2)."""

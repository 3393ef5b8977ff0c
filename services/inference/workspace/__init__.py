"""Workspace models: presets over a base model (system prompt, params, knowledge, filters)."""

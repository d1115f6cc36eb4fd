"""Prompts, one module per task family. Each exposes its strict JSON schema and a builder of a PromptSpec."""

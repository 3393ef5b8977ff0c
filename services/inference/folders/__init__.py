"""Chat folders (Open WebUI's /api/v1/folders) in the inference service."""

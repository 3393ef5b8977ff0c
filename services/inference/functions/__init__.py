"""Open WebUI functions: admin-written Python pipes and filters that run in this service."""

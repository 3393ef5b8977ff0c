"""Open WebUI's prompts (``/api/v1/prompts``): storage, rules, versions and the gRPC servicer."""

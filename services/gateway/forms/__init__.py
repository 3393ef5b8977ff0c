"""Request forms: the pydantic models each JSON request body is validated against, once."""

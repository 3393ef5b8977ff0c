"""Request forms shared by the gateway and a service: one pydantic definition of a body, validated
by the gateway (FastAPI's 422 answers) and again by the service for callers that reach it directly
over gRPC."""

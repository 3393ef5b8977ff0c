"""Auth service: users, passwords, JWT sessions and API keys over gRPC."""

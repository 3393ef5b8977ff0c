"""Code shared by every service: settings, logging, gRPC bootstrap, Postgres, embedded infrastructure."""

"""Ingest service: files, JetStream processing jobs and FAISS search over gRPC (RPCs arrive in step 3)."""

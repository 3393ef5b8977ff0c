"""Ingest service: files, knowledge collections, JetStream processing jobs and FAISS search over gRPC."""

"""Usage records: who may read which (``queries``) and the gRPC UsageService (``servicer``)."""

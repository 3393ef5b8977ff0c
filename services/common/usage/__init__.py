"""Usage accounting shared by the services that bill work: records, limits and quotas."""

"""Usage limits: admins' QuotasService and the admission of billable calls (quota_gate)."""

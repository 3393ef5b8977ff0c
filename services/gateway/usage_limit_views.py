"""JSON of usage limits: one object per subject, null where the subject type's default applies."""

from webui.inference.v1 import quotas_pb2 as pb

_FIELDS = ("rpm", "tpm", "tpd", "budget_day", "budget_month")


def limits_json(limits: pb.SubjectLimits) -> dict:
    body: dict = {"subject_type": limits.subject_type, "subject_id": limits.subject_id}
    for name in _FIELDS:
        body[name] = getattr(limits, name) if limits.HasField(name) else None
    body["updated_at"] = limits.updated_at
    return body


def limits_list_json(reply: pb.ListLimitsResponse) -> dict:
    defaults = {}
    for row in reply.defaults:
        defaults[row.subject_type] = {name: getattr(row, name) for name in _FIELDS}
    return {"limits": [limits_json(row) for row in reply.limits], "defaults": defaults}

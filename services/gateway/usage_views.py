"""``GET /api/v1/usage`` rows as JSON: the group's keys, then its totals."""

from services.common.usage.query import TOTALS
from webui.inference.v1 import usage_pb2 as pb


def usage_row_json(row: pb.UsageRow, group_by: list[str]) -> dict:
    return {**{name: row.keys.get(name, "") for name in group_by}, **{t: getattr(row, t) for t in TOTALS}}

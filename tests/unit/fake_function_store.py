"""An in-memory FunctionStore: the repository's behaviour, version bumps included, without Postgres."""

import dataclasses
import time

from services.inference.functions.records import FunctionRecord
from services.inference.functions.repository import Flag


class FakeFunctionStore:
    def __init__(self) -> None:
        self.rows: dict[str, FunctionRecord] = {}
        self.user_valves: dict[tuple[str, str], dict] = {}
        self.version_value = 0
        # Calls by method name, for tests of what the catalog reads.
        self.calls: dict[str, int] = {}
        self.clock = 0

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def _now(self) -> int:
        # Strictly increasing, and never behind the admin's own ``time.time()`` stamps.
        self.clock = max(self.clock + 1, int(time.time()) + 1)
        return self.clock

    def _replace(self, function_id: str, **changes: object) -> FunctionRecord:
        record = dataclasses.replace(self.rows[function_id], updated_at=self._now(), **changes)
        self.rows[function_id] = record
        self.version_value += 1
        return record

    async def list_all(self) -> list[FunctionRecord]:
        self._count("list_all")
        return sorted(self.rows.values(), key=lambda r: (-r.updated_at, r.id))

    async def get(self, function_id: str) -> FunctionRecord | None:
        self._count("get")
        return self.rows.get(function_id)

    async def insert(self, record: FunctionRecord) -> bool:
        self._count("insert")
        if record.id in self.rows:
            return False
        self.rows[record.id] = record
        self.version_value += 1
        return True

    async def update_code(
        self, function_id: str, *, name: str, type: str, content: str, meta: dict
    ) -> FunctionRecord | None:
        self._count("update_code")
        if function_id not in self.rows:
            return None
        return self._replace(function_id, name=name, type=type, content=content, meta=meta, load_error=None)

    async def mark_load_error(
        self, function_id: str, error: str, content: str | None = None
    ) -> FunctionRecord | None:
        self._count("mark_load_error")
        record = self.rows.get(function_id)
        if record is None or (content is not None and record.content != content):
            return None
        return self._replace(function_id, is_active=False, load_error=error)

    async def toggle(self, function_id: str, flag: Flag) -> FunctionRecord | None:
        self._count("toggle")
        record = self.rows.get(function_id)
        if record is None:
            return None
        return self._replace(function_id, **{flag: not getattr(record, flag)})

    async def delete(self, function_id: str) -> bool:
        self._count("delete")
        if self.rows.pop(function_id, None) is None:
            return False
        self.user_valves = {k: v for k, v in self.user_valves.items() if k[0] != function_id}
        self.version_value += 1
        return True

    async def set_valves(self, function_id: str, valves: dict) -> FunctionRecord | None:
        self._count("set_valves")
        if function_id not in self.rows:
            return None
        return self._replace(function_id, valves=dict(valves))

    async def get_user_valves(self, function_id: str, user_id: str) -> dict | None:
        self._count("get_user_valves")
        return self.user_valves.get((function_id, user_id))

    async def set_user_valves(self, function_id: str, user_id: str, valves: dict) -> bool:
        self._count("set_user_valves")
        if function_id not in self.rows:
            return False
        self.user_valves[(function_id, user_id)] = dict(valves)
        self.version_value += 1
        return True

    async def user_valves_of(self, user_id: str) -> dict[str, dict]:
        self._count("user_valves_of")
        return {fid: dict(v) for (fid, uid), v in self.user_valves.items() if uid == user_id}

    async def version(self) -> int:
        self._count("version")
        return self.version_value

    async def active(self) -> tuple[int, list[FunctionRecord]]:
        self._count("active")
        return self.version_value, sorted((r for r in self.rows.values() if r.is_active), key=lambda r: r.id)

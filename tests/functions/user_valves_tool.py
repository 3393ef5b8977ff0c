"""
title: User Valves Tool
author: webui-platform tests
version: 0.1.0
"""

import json

from pydantic import BaseModel


class Tools:
    class Valves(BaseModel):
        prefix: str = "admin"

    class UserValves(BaseModel):
        unit: str = "C"

    def __init__(self):
        self.valves = self.Valves()

    async def whoami(self, __user__: dict, __id__: str, __metadata__: dict, __event_emitter__=None) -> str:
        """
        Tells who calls, with the admin and user valves in effect.
        """
        if __event_emitter__ is not None:
            await __event_emitter__({"type": "status", "data": {"description": "whoami", "done": True}})
        return json.dumps(
            {
                "prefix": self.valves.prefix,
                "unit": __user__["valves"].unit,
                "user_id": __user__["id"],
                "tool_id": __id__,
                "chat_id": __metadata__.get("chat_id"),
            }
        )

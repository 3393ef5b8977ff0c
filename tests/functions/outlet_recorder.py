"""
title: Record replies
author: webui-platform tests
version: 0.1.0
description: An outlet filter that appends every reply to the file named by its valves.
"""

import json

from pydantic import BaseModel, Field


class Filter:
    class Valves(BaseModel):
        path: str = Field(default="", description="Where replies are appended, one JSON line each.")

    def __init__(self):
        self.valves = self.Valves()

    def outlet(self, body: dict, __user__: dict, __id__: str) -> dict:
        reply = body["messages"][-1]
        if self.valves.path:
            line = {
                "user_id": __user__["id"],
                "model": body.get("model"),
                "role": reply["role"],
                "content": reply["content"],
            }
            with open(self.valves.path, "a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")
        body["recorded_by"] = __id__
        return body

"""
title: Rewrite streamed words
author: webui-platform tests
version: 0.1.0
"""

from pydantic import BaseModel


class Filter:
    class Valves(BaseModel):
        find: str = "t3"
        replace: str = "THREE"

    def __init__(self):
        self.valves = self.Valves()

    def stream(self, event: dict) -> dict:
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            content = delta.get("content")
            if isinstance(content, str):
                delta["content"] = content.replace(self.valves.find, self.valves.replace)
        return event

"""
title: Reject long prompts
author: webui-platform tests
version: 0.1.0
description: An inlet filter that refuses prompts longer than max_length characters.
"""

from pydantic import BaseModel, Field


class Filter:
    class Valves(BaseModel):
        priority: int = Field(default=0, description="Lower runs first.")
        max_length: int = Field(default=60, description="The longest prompt let through.")

    def __init__(self):
        self.valves = self.Valves()

    def inlet(self, body: dict, __user__: dict | None = None) -> dict:
        messages = body.get("messages") or []
        last = messages[-1].get("content", "") if messages else ""
        if isinstance(last, str) and len(last) > self.valves.max_length:
            raise Exception(f"Prompt too long: {len(last)} characters, at most {self.valves.max_length}")
        return body

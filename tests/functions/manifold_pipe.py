"""
title: Two sub-models
author: webui-platform tests
version: 0.1.0
"""

from pydantic import BaseModel


class Pipe:
    class Valves(BaseModel):
        greeting: str = "says"

    def __init__(self):
        self.type = "manifold"
        self.name = "Duo: "
        self.valves = self.Valves()

    def pipes(self) -> list[dict]:
        return [{"id": "alpha", "name": "Alpha"}, {"id": "beta", "name": "Beta"}]

    def pipe(self, body: dict, __user__: dict) -> str:
        sub = body["model"].split(".")[-1]
        question = body["messages"][-1]["content"]
        return f"{sub} {self.valves.greeting}: {question}"

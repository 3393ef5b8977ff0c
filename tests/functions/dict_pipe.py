"""
title: Dict pipe
author: webui-platform tests
version: 0.1.0
"""


class Pipe:
    async def pipe(self, body: dict) -> dict:
        return {
            "id": "dict-pipe-1",
            "object": "chat.completion",
            "created": 1700000000,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "from a dict"},
                    "finish_reason": "stop",
                }
            ],
        }

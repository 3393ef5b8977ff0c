"""
title: Hanging pipe
author: webui-platform tests
version: 0.1.0
"""

import asyncio


class Pipe:
    async def pipe(self, body: dict) -> str:
        await asyncio.sleep(60)
        return "too late"

"""
title: Async streaming pipe
author: webui-platform tests
version: 0.1.0
"""

import asyncio


class Pipe:
    async def pipe(self, body: dict):
        async def pieces():
            for piece in ["Far", " far", " away"]:
                await asyncio.sleep(0)
                yield piece

        return pieces()

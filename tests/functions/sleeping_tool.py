"""
title: Sleeping Tool
author: webui-platform tests
version: 0.1.0
"""

import asyncio
import time


class Tools:
    async def sleep_async(self, seconds: float = 60) -> str:
        """
        Sleeps on the event loop, then answers.
        :param seconds: How long to sleep
        """
        await asyncio.sleep(seconds)
        return "slept (async)"

    def sleep_sync(self, seconds: float = 60) -> str:
        """
        Sleeps in its thread, then answers.
        :param seconds: How long to sleep
        """
        time.sleep(seconds)
        return "slept (sync)"

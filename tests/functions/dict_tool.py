"""
title: Dict Tool
author: webui-platform tests
version: 0.1.0
"""

from typing import Literal


class Tools:
    def lookup(self, key: str, limit: int = 2, order: Literal["asc", "desc"] = "asc") -> dict:
        """
        Looks a key up and answers with an object.
        :param key: What to look up
        :param limit: How many values
        :param order: Sort order
        """
        values = list(range(limit)) if order == "asc" else list(range(limit))[::-1]
        return {"key": key, "values": values}

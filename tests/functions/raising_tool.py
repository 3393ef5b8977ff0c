"""
title: Raising Tool
author: webui-platform tests
version: 0.1.0
"""


class Tools:
    def explode(self, reason: str = "boom") -> str:
        """
        Always fails.
        :param reason: What the error says
        """
        raise RuntimeError(f"tool failed: {reason}")

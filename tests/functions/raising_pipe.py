"""
title: Raising pipe
author: webui-platform tests
version: 0.1.0
"""


class Pipe:
    def pipe(self, body: dict) -> str:
        raise ValueError("the pipe broke down")

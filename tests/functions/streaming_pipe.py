"""
title: Streaming pipe
author: webui-platform tests
version: 0.1.0
"""

PIECES = ["Once", " upon", " a", " time"]


class Pipe:
    def pipe(self, body: dict):
        yield from PIECES

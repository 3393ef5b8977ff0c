"""
title: Switchable suffix
author: webui-platform tests
version: 0.1.0
description: Adds a marker to the prompt, only when the request's filter_ids name it.
"""


class Filter:
    def __init__(self):
        self.toggle = True

    def inlet(self, body: dict) -> dict:
        last = body["messages"][-1]
        last["content"] = last["content"] + " [toggled]"
        return body

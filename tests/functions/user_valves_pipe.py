"""
title: User valves pipe
author: webui-platform tests
version: 0.1.0
"""

import json

from pydantic import BaseModel


class Pipe:
    class UserValves(BaseModel):
        greeting: str = "Hello"

    def pipe(self, body: dict, __user__: dict, __metadata__: dict, __model__: dict, __id__: str) -> str:
        return json.dumps(
            {
                "greeting": __user__["valves"].greeting,
                "user_id": __user__["id"],
                "name": __user__["name"],
                "metadata_user_id": __metadata__.get("user_id"),
                "model_id": __model__.get("id"),
                "function_id": __id__,
            }
        )

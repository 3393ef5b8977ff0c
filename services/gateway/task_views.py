"""Open WebUI's JSON of the task configuration (``/api/v1/tasks/config``)."""

import orjson

from services.common.forms.tasks import TASK_CONFIG_KEYS
from webui.inference.v1 import inference_pb2


def task_config_json(config: inference_pb2.TaskConfig) -> dict:
    """Open WebUI's keys, in its order; TASK_MODEL_PARAMS as the object it is."""
    values = {}
    for key in TASK_CONFIG_KEYS:
        if key == "TASK_MODEL_PARAMS":
            values[key] = orjson.loads(config.task_model_params_json or b"{}")
        else:
            values[key] = getattr(config, key.lower())
    return values

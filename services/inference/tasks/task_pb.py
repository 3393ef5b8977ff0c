"""The task configuration and task names between the core's objects and protobuf."""

from dataclasses import fields

import orjson

from services.inference.tasks.config import TaskConfig
from webui.inference.v1 import inference_pb2

TASK_NAMES = {
    inference_pb2.TASK_TITLE: "title",
    inference_pb2.TASK_TAGS: "tags",
    inference_pb2.TASK_FOLLOW_UP: "follow_up",
    inference_pb2.TASK_QUERIES: "queries",
    inference_pb2.TASK_AUTO: "auto",
    inference_pb2.TASK_EMOJI: "emoji",
    inference_pb2.TASK_IMAGE_PROMPT: "image_prompt",
    inference_pb2.TASK_MOA: "moa",
}


def config_message(config: TaskConfig) -> inference_pb2.TaskConfig:
    values = {f.name: getattr(config, f.name) for f in fields(TaskConfig) if f.name != "task_model_params"}
    return inference_pb2.TaskConfig(task_model_params_json=orjson.dumps(config.task_model_params), **values)

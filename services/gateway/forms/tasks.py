"""Request form of ``/api/v1/tasks/config/update``. Defined once, in ``services.common.forms``,
since the inference service validates the same form."""

from services.common.forms.tasks import TASK_CONFIG_KEYS, TaskConfigForm

__all__ = ["TASK_CONFIG_KEYS", "TaskConfigForm"]

"""Schemathesis hooks of tests/e2e/test_openapi_fuzz.py, loaded through SCHEMATHESIS_HOOKS."""

import os

import schemathesis

# The id of the admin whose token the fuzzer uses (set by the test).
OWN_USER_ENV = "FUZZ_OWN_USER_ID"
# Comma-separated ids of models the stack serves: random model names only ever reach "Model not found".
MODELS_ENV = "FUZZ_MODELS"
# Operations that act on the user their path names. On the fuzzing admin itself they would end the
# session (a new password or role revokes its tokens; deleting it ends everything), so they are
# pointed at another id; on any other user they run as generated.
_ON_A_USER = {("POST", "/api/v1/users/{user_id}/update"), ("DELETE", "/api/v1/users/{user_id}")}
_SOMEONE_ELSE = "not-the-fuzzing-admin"


@schemathesis.hook
def before_call(ctx, case, kwargs) -> None:
    own = os.environ.get(OWN_USER_ENV)
    if (case.method.upper(), case.operation.path) not in _ON_A_USER or not own:
        return
    if (case.path_parameters or {}).get("user_id") == own:
        case.path_parameters["user_id"] = _SOMEONE_ELSE


@schemathesis.hook
def map_body(ctx, body):
    """Half the bodies that name a model name one that exists (chosen from the generated name, so
    that a case replays the same), so that completions, embeddings and streams run for real."""
    models = [m for m in os.environ.get(MODELS_ENV, "").split(",") if m]
    if not models or not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return body
    drawn = body["model"]
    if len(drawn) % 2 == 0:
        body["model"] = models[len(drawn) // 2 % len(models)]
    return body

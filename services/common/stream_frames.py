"""The frames that end a stream, shared by the inference service (upstream failed) and the gateway
(inference failed): whichever side sees the failure, the client reads the same thing."""

import json

from services.common import messages

SSE_DONE = b"data: [DONE]\n\n"
# Open WebUI 0.12's in-band failure after an SSE stream has started (the blank line first ends any
# frame left half-written), then the usual end of stream.
SSE_STREAM_FAILED = (
    b"\n\ndata: "
    + json.dumps({"error": {"message": messages.STREAM_FAILED}}, separators=(",", ":")).encode()
    + b"\n\n"
    + SSE_DONE
)
# Ollama's NDJSON streams report errors as a line of their own.
NDJSON_STREAM_FAILED = json.dumps({"error": messages.STREAM_FAILED}).encode() + b"\n"

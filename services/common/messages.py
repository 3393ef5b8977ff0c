"""Client-visible error texts, word for word as Open WebUI's ``constants.ERROR_MESSAGES``."""

NOT_AUTHENTICATED = "Not authenticated"
UNAUTHORIZED = "401 Unauthorized"
ACCESS_PROHIBITED = (
    "You do not have permission to access this resource. Please contact your administrator for assistance."
)
ACTION_PROHIBITED = "The requested action has been restricted as a security measure."
INVALID_TOKEN = "Your session has expired or the token is invalid. Please sign in again."
REVOKED_TOKEN = "Invalid token"
INVALID_CRED = "The email or password provided is incorrect. Please check for typos and try logging in again."
EMAIL_TAKEN = (
    "Uh-oh! This email is already registered. "
    "Sign in with your existing account or choose another email to start anew."
)
INVALID_EMAIL_FORMAT = (
    "The email format you entered is invalid. Please double-check and make sure you're using "
    "a valid email address (e.g., yourname@example.com)."
)
INCORRECT_PASSWORD = "The password provided is incorrect. Please check for typos and try again."
PASSWORD_TOO_LONG = (
    "Uh-oh! The password you entered is too long. Please make sure your password is less than 72 bytes long."
)
API_KEY_NOT_ALLOWED = "Use of API key is not enabled in the environment."
API_KEY_CREATION_NOT_ALLOWED = "API key creation is not allowed in the environment."
API_KEY_NOT_FOUND = (
    "Oops! It looks like there's a hiccup. The API key is missing. "
    "Please make sure to provide a valid API key to access this feature."
)
NOT_FOUND = "We could not find what you're looking for :/"
# Knowledge directories (Open WebUI's routers/knowledge.py).
DIRECTORY_CREATE_FAILED = (
    "Failed to create directory. A directory with this name may already exist at this level."
)
DIRECTORY_UPDATE_FAILED = (
    "Failed to update directory. This may be caused by a naming conflict or circular move."
)
TARGET_DIRECTORY_NOT_FOUND = "Target directory not found."
USER_NOT_FOUND = NOT_FOUND
RATE_LIMIT_EXCEEDED = "API rate limit exceeded"
# Scoped API keys (issue 17 item 6).
API_KEY_EXPIRED = "This API key has expired."
API_KEY_NAME_TAKEN = "You already have an API key with this name."
HUMAN_SESSION_REQUIRED = "A human session is required."
# /api/v1/auths/* (issue 17, §7.2/§7.3): body validation errors, MFA settings from an API key, and
# an MFA policy the server cannot apply.
INVALID_AUTH_REQUEST = "Invalid authentication request."
MFA_HUMAN_ADMIN_REQUIRED = "A human administrator session is required to change MFA settings."
MFA_POLICY_UPDATE_FAILED = "Unable to update MFA policy. Check configuration and retry."
DEFAULT = "Something went wrong :/"
BODY_TOO_LARGE = "Request body too large"
SERVICE_UNAVAILABLE = "Service temporarily unavailable"
DEADLINE_EXCEEDED = "The request took too long"

# Inference.
MODEL_NOT_FOUND_SHORT = "Model not found"
SERVER_CONNECTION_ERROR = "Open WebUI: Server Connection Error"
OLLAMA_NOT_FOUND = "WebUI could not connect to Ollama"
OLLAMA_API_DISABLED = "The Ollama API is disabled. Please enable it to use this feature."
OPENAI_API_DISABLED = "OpenAI API is disabled"
OPENAI_PASSTHROUGH_DISABLED = (
    "Direct API passthrough is disabled. Set ENABLE_OPENAI_API_PASSTHROUGH=True to enable."
)
MISSING_MODEL_TO_UNLOAD = "Missing name of the model to unload."
MISSING_MESSAGE_ID = "Missing message id"
CHANNEL_CHATS_UNSUPPORTED = "Channel chats are not supported on this endpoint"
STREAM_FAILED = "Chat completion stream failed"


def model_not_found(name: str) -> str:
    """Open WebUI's ``MODEL_NOT_FOUND(name)``."""
    return f"Model '{name}' was not found"


# Files and knowledge.
EMPTY_CONTENT = (
    "The content provided is empty. Please ensure that there is text or data present before proceeding."
)
DUPLICATE_CONTENT = "Duplicate content detected. Please provide unique content to proceed."
FILE_NOT_PROCESSED = (
    "Extracted content is not available for this file. "
    "Please ensure that the file is processed before proceeding."
)
FILE_EXISTS = "Uh-oh! This file is already registered. Please choose another file."
ID_TAKEN = "Uh-oh! This id is already registered. Please choose another id string."
MODEL_ID_TAKEN = "Uh-oh! This model id is already registered. Please choose another model id string."
MODEL_ID_TOO_LONG = (
    "The model id is too long. Please make sure your model id is less than 256 characters long."
)
INVALID_METADATA = "[ERROR: Invalid metadata format]"
UPLOAD_FAILED = "[ERROR: Error uploading file]"
ORIGINAL_FILE_UNAVAILABLE = "Original file is unavailable."
FILE_DELETED = "File deleted successfully"
ALL_FILES_DELETED = "All files deleted successfully"
NO_FILES_MATCH = "No files found matching the pattern."
RENAME_FAILED = "[ERROR: Error renaming file]"


def file_too_large(max_mb: int) -> str:
    """FILE_TOO_LARGE with its size argument rendered as Open WebUI does (``<N> MB``)."""
    return (
        "Oops! The file you're trying to upload is too large. "
        f"Please upload a file that is less than {max_mb} MB."
    )


# An upload whose body stopped arriving (408 at the gateway, DEADLINE_EXCEEDED from the service).
UPLOAD_STALLED = "The upload stopped arriving before it was complete"


def too_many_uploads(limit: int) -> str:
    """429 for a user who already has ``limit`` uploads arriving (UPLOAD_MAX_CONCURRENT_PER_USER)."""
    return f"Too many uploads in progress: at most {limit} at once per user. Retry when one has finished."


def unsupported_file_type(content_type: str) -> str:
    return f"File type {content_type} is not supported for processing"


def wrapped_400(detail: str) -> str:
    """Open WebUI's ``knowledge/file/add`` re-raises its own HTTPException, so clients see
    Starlette's ``str()`` of it: ``"400: <detail>"``."""
    return f"400: {detail}"


# Functions.
FUNCTION_ID_INVALID = "Only alphanumeric characters and underscores are allowed in the id"
FUNCTION_CREATE_FAILED = "Error creating function"
FUNCTION_UPDATE_FAILED = "Error updating function"
FUNCTION_LOAD_FAILED = "Error loading function"
FUNCTION_VALVES_SPEC_FAILED = "Error getting function valves spec"
FUNCTION_VALVES_UPDATE_FAILED = "Error updating function valves"
FUNCTION_USER_VALVES_UPDATE_FAILED = "Error updating function user valves"
FUNCTION_NOT_STORABLE = "Text must not contain NUL characters"

# Tools.
TOOL_NOT_FOUND = "Tool not found"
TOOL_CREATE_FAILED = "Error creating tool"
TOOL_LOAD_FAILED = "Error loading tool"
TOOL_VALVES_GET_FAILED = "Error getting tool valves"
TOOL_VALVES_UPDATE_FAILED = "Error updating tool valves"
TOOL_USER_VALVES_UPDATE_FAILED = "Error updating tool user valves"
# A tool's versions (/id/{id}/history, /update/version).
HISTORY_NOT_FOUND = "Not found"
VERSION_NOT_FOUND = "Version not found"
CURRENT_VERSION_UNDELETABLE = "The current version cannot be deleted"
# POST /load/url.
TOOL_URL_FETCH_FAILED = "Failed to fetch the tool"
TOOL_URL_EMPTY = "No data received from the URL"
TOOL_URL_ERROR = "Error fetching tool"
# Prompts (/api/v1/prompts).
COMMAND_TAKEN = "Uh-oh! This command is already registered. Please choose another command string."
PROMPT_VERSIONS_NOT_FOUND = "One or both history entries not found"
PRODUCTION_VERSION_UNDELETABLE = "Cannot delete the active production version"


def command_in_use(command: str, *, by_another: bool) -> str:
    """Open WebUI's texts when an update would take another prompt's command."""
    return f"Command '/{command}' is already in use" + (" by another prompt" if by_another else "")


JSON_TOO_DEEP = "JSON nested too deeply"
# 413 for a body with more JSON values than JSON_MAX_VALUES (each costs memory once parsed).
JSON_TOO_MANY_VALUES = "Request body has too many JSON values"
# FastAPI's answer (400) when a body cannot be read or parsed as the form it claims to be.
BODY_PARSE_ERROR = "There was an error parsing the body"


def error_with(action: str, reason: str | None = None) -> str:
    """Open WebUI's ``DEFAULT(e, action)`` (``[ERROR: <action>]``), here with the reason appended,
    which 0.12.4 leaves out: a function that does not load is useless to report without it."""
    return f"[ERROR: {action}: {reason}]" if reason else f"[ERROR: {action}]"


# Tasks (/api/v1/tasks).
TASK_INTERNAL_ERROR = "An internal error has occurred."
TITLE_GENERATION_DISABLED = "Title generation is disabled"
TAGS_GENERATION_DISABLED = "Tags generation is disabled"
FOLLOW_UP_GENERATION_DISABLED = "Follow-up generation is disabled"
SEARCH_QUERY_GENERATION_DISABLED = "Search query generation is disabled"
QUERY_GENERATION_DISABLED = "Query generation is disabled"
AUTOCOMPLETE_GENERATION_DISABLED = "Autocompletion generation is disabled"


def task_model_required(task: str) -> str:
    """Open WebUI's text for a title request with an empty ``model``; here also the answer (400) to
    any task request without one, where Open WebUI fails with 500."""
    return f"No model specified for {task}. Please ensure a model is selected for this chat."


def prompt_too_long(max_length: int) -> str:
    return f"Input prompt exceeds maximum length of {max_length}"

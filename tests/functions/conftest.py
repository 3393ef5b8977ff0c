"""The files here are Open WebUI function sources that tests upload as text: never collected."""

collect_ignore_glob = ["*.py"]

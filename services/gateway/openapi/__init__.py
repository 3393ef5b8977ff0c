"""The gateway's OpenAPI document, assembled from one paths module per route group."""

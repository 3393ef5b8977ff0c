"""Stored chats (Open WebUI's ``/api/v1/chats``)."""

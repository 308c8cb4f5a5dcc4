"""Thin Telegram callbacks: read the update, call a service, answer."""

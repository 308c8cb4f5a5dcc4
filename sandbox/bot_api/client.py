"""Client-side helpers for talking to the fake quickly."""

from __future__ import annotations

import ssl
from functools import cache
from typing import Any

from telegram.request import HTTPXRequest


@cache
def shared_ssl_context() -> ssl.SSLContext:
    """One default SSL context for every client the tests create."""
    return ssl.create_default_context()


def loopback_request(**kwargs: Any) -> HTTPXRequest:
    """An HTTPXRequest for the fake, for Bot(request=...) or ApplicationBuilder().request(...).

    Every httpx client otherwise loads the CA bundle again (about 0.1 s, and a Bot has
    two clients); the fake speaks plain HTTP, so one shared context is plenty.
    """
    httpx_kwargs = {"verify": shared_ssl_context(), **kwargs.pop("httpx_kwargs", {})}
    return HTTPXRequest(httpx_kwargs=httpx_kwargs, **kwargs)

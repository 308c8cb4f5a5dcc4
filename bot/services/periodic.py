"""A piece of background work done now and then every few seconds, until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging

logger = logging.getLogger(__name__)


class Periodic:
    """Calls `turn` at start and every `interval` seconds after; a turn that fails is
    logged and the next one comes as usual (one bad turn must not end the work)."""

    name = "periodic"

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def turn(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.turn()
            except Exception:
                logger.exception("%s failed; trying again in %.0f s", self.name, self._interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)

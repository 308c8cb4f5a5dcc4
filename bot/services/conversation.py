"""Where a reader's text message goes, decided once from the state stored for them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.services import contact
from bot.services.comments import COMMENTING
from bot.settings import Settings
from storage import readers
from storage.db import Database
from storage.models import ReaderState


class Route(StrEnum):
    COMMENT = "comment"
    CONTACT_FORM = "contact_form"
    # Nothing open: the reader is told how to comment or write to the editors.
    NOTHING_OPEN = "nothing_open"
    # Something was open, longer ago than READER_STATE_HOURS: it has lapsed.
    EXPIRED = "expired"


_ROUTE_OF_MODE = {
    COMMENTING: Route.COMMENT,
    **dict.fromkeys(contact.FORM_STEPS, Route.CONTACT_FORM),
}


@dataclass(frozen=True)
class Routed:
    route: Route
    state: ReaderState | None = None


def route_of(state: ReaderState | None, settings: Settings, now: float) -> Routed:
    """Pure: the route for a text, given the reader's state.

    A state lapses after READER_STATE_HOURS: a text sent a day after opening an article is
    more likely a message to the bot than that comment, and it is not taken as one.
    """
    if state is None or state.mode not in _ROUTE_OF_MODE:
        return Routed(Route.NOTHING_OPEN)
    if now - state.updated_at > settings.reader_state_hours * 3600:
        return Routed(Route.EXPIRED, state)
    return Routed(_ROUTE_OF_MODE[state.mode], state)


async def route_text(db: Database, settings: Settings, user_id: int, now: float) -> Routed:
    async with db.reading() as conn:
        state = await readers.get_state(conn, user_id)
    return route_of(state, settings, now)


async def current_mode(db: Database, settings: Settings, user_id: int, now: float) -> Route:
    return (await route_text(db, settings, user_id, now)).route

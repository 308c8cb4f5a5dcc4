"""Files a bot uploads (multipart/form-data) and downloads again (getFile), as Telegram
takes and serves them.

Limits, from core.telegram.org/bots/api: "Bots can currently send files of any type of up
to 50 MB in size" (sendDocument); "the bot can download files of up to 20MB in size"
(getFile). An upload over 50 MB is stopped before the Bot API sees it: bot authors meet
"413 Request Entity Too Large" (python-telegram-bot raises it as a NetworkError). An empty
file is refused as "file must be non-empty" (assumed, as bot libraries list it among
Telegram's refusals of a file).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
TOO_LARGE_DESCRIPTION = "Request Entity Too Large"
# aiohttp's own limit is far above Telegram's, so that the fake, not aiohttp, answers an
# upload that is too large (with Telegram's 413, not aiohttp's HTML page).
READ_LIMIT_BYTES = 2 * MAX_UPLOAD_BYTES


class UploadTooLargeError(ValueError):
    """A request whose files add up to more than Telegram takes from a bot."""


@dataclass(frozen=True)
class Upload:
    """One file of a multipart request, as the bot sent it."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        # Calls are printed in failures: the bytes would drown the rest.
        return f"Upload({self.filename!r}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file, served again by getFile and its download path."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes

    def as_file(self) -> dict[str, object]:
        """The File object getFile answers."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

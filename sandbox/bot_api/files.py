"""Files: sending one again by its file_id (or a photo by URL), a document the bot
uploads, and getFile with its download."""

from __future__ import annotations

import copy
import re
from typing import Any

from aiohttp import web

from .messages import MessageMethods
from .records import CAPTIONED_MEDIA, bad_request, file_method, not_implemented
from .uploads import MAX_DOWNLOAD_BYTES, StoredFile, Upload


class FileMethods(MessageMethods):
    """sendPhoto, sendDocument, sendSticker... and getFile."""

    def _send_file(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        """sendPhoto, sendSticker...: a file sent again by its file_id, or a document
        uploaded (other uploads are not modelled). Telegram refuses an id it never issued
        ("wrong file identifier/HTTP URL specified", go-telegram-bot-api/telegram-bot-api#576)
        and one of another kind ("type of file mismatch", irazasyed/telegram-bot-sdk#541)."""
        chat = self._postable_chat(params["chat_id"])
        file_id = params.get(kind)
        if isinstance(file_id, Upload) and kind == "document":
            # A refused call leaves no file behind: the caption is checked first.
            if "caption" in params:
                self._caption_of(params)
            file_id = self._store_upload(file_id)
        if not isinstance(file_id, str):
            raise not_implemented(f"uploading a {kind}")
        if kind == "photo" and re.match(r"https?://", file_id):
            # Telegram fetches a photo's URL itself; one it cannot fetch (or that is not an
            # image) is refused with the same words as an unknown file_id.
            if file_id in self._unreachable_urls:
                raise bad_request("wrong file identifier/HTTP URL specified")
            self._files[file_id] = ("photo", self._photo_sizes())
        if file_id not in self._files:
            raise bad_request("wrong file identifier/HTTP URL specified")
        file_kind, shown = self._files[file_id]
        if file_kind != kind:
            raise bad_request("type of file mismatch")
        content: dict[str, Any] = {kind: copy.deepcopy(shown)}
        # sendSticker and sendVideoNote take no caption (Telegram ignores what a method
        # does not take).
        if "caption" in params and kind in CAPTIONED_MEDIA:
            caption, entities = self._caption_of(params)
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        reply_to = self._replied_message(chat, params)
        self._check_rate_limit(chat, file_method(kind))
        sender = None if chat.type == "channel" else self.bot_user
        stored = self._store_message(chat, sender, content, reply_to, by_bot=True)
        if chat.type == "channel":
            self._forward_to_discussion_group(chat, stored)
        return stored.data

    def _store_upload(self, upload: Upload) -> str:
        """A document the bot uploaded: kept as Telegram keeps it, under a new file_id, and
        shown in its message with the name and type it was sent with."""
        if not upload.data:
            raise bad_request("file must be non-empty")
        file_id, unique_id = self._new_file_ids("BQACAgIAAxkBAA")
        stored = StoredFile(file_id, unique_id, f"documents/file_{len(self._uploads)}", upload.data)
        self._uploads[file_id] = stored
        document = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": upload.filename,
            "mime_type": upload.content_type,
            "file_size": len(upload.data),
        }
        self._files[file_id] = ("document", document)
        return file_id

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        """getFile: where to download a file. Only files the bot uploaded are modelled."""
        stored = self._uploads.get(str(params["file_id"]))
        if stored is None:
            if params["file_id"] in self._files:
                raise not_implemented("downloading files users sent")
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return stored.as_file()

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=404, text="Not Found")
        path = request.match_info["path"]
        for stored in self._uploads.values():
            if stored.file_path == path:
                return web.Response(body=stored.data)
        return web.Response(status=404, text="Not Found")

    def uploaded_document(self, message: dict[str, Any]) -> bytes:
        """The bytes of the document a bot's message carries, as uploaded."""
        return self._uploads[message["document"]["file_id"]].data

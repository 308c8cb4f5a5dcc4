"""What a text carries besides its words: links, invite links, @names, phone numbers,
emoji, capitals. Each is counted here; how much it weighs is decided in `checker`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.spam.text import MAX_CHARS, disguised_words

# Telegram's invite links: t.me/+AbC…, t.me/joinchat/AbC… (and telegram.me, telegram.dog).
_INVITE = re.compile(r"(?:t|telegram)\.(?:me|dog)/(?:\+|joinchat/)[\w-]+")
# Top-level domains that spam favours: cheap to register in bulk, and in Spamhaus's
# monthly "World's Most Abused TLDs" (spamhaus.org/statistics/tlds; for instance July 2016:
# .download, .top, .work, .click, .date, .review, reported by domaingang.com), with the
# free ones spam moved to later (.tk, .ml, .ga, .cf, .gq) and the cheap new ones of its
# recent lists. A reader's source is a newspaper's or a government's site, seldom one of these.
_ABUSED_TLDS = (
    "top|xyz|click|work|date|review|download|stream|science|loan|men|win|bid|icu|buzz|cyou"
    "|sbs|cfd|bond|rest|monster|fun|online|site|live|club|tk|ml|ga|cf|gq"
)
_LINK = re.compile(
    r"https?://\S+|www\.\S+|\b(?:t|telegram)\.me/\w+"
    r"|\b[a-z0-9][a-z0-9-]*\.(?:com|net|org|io|ru|ltd|info|biz|me|ly|shop|pro|vip|cc|co|app"
    r"|link|bet|lol|quest|store|space|website|tech|life|world|today|cam|su|" + _ABUSED_TLDS + r")"
    r"\b(?:/\S*)?"
)
_ABUSED_DOMAIN = re.compile(r"\b[a-z0-9][a-z0-9-]*\.(?:" + _ABUSED_TLDS + r")\b(?![.-]\w)")
# Asking readers to write privately: where a scam moves its mark out of sight of the
# moderators ("DM me", "escríbeme por privado", "пишите в личку"). tg-spam ships such
# phrases among its stop words, each enough alone (umputun/tg-spam, data/stop-words.txt:
# "в личку", "пишите в лс", "в личные сообщения"). Matched on the normalised text (no
# accents, casefolded); English, Spanish and Russian, the languages thread spam reaches
# this blog in. "In private" alone is left out: news says who said what in private.
_PRIVATE_CONTACT = re.compile(
    r"\b(?:dm|pm|inbox|message|text|write|whatsapp)\s+me\b"
    r"|\b(?:in|to|via)\s+(?:my\s+)?(?:dms?|pms?|inbox)\b"
    r"|\bescrib(?:eme|ame|anme)\b|\bmanda(?:me|nos)\s+(?:un\s+)?(?:mensaje|dm|md|privado)\b"
    r"|\b(?:por|al)\s+(?:privado|dm|md|inbox|priv)\b"
    r"|\bв\s+(?:личк|лс\b|личн(?:ые|ых|ое|ом)\b|директ)"
    r"|\bпиши(?:те)?\s+мне\b"
)
_MENTION = re.compile(r"(?<![\w@.])@[a-z][a-z0-9_]{3,31}\b")
# Ten digits or more, spaces, dots, dashes and brackets between: a phone number, not a year.
_PHONE = re.compile(r"(?<!\w)\+?\(?\d[\d\s().-]{8,20}\d(?!\w)")
_MONEY = re.compile(r"[$€£]\s?\d|\d\s?(?:[$€£]|usd|usdt|eur|dolares|dollars|k\b)")
_DIGIT = re.compile(r"\d")
# Emoji: pictographs, dingbats, flags and symbols; counted in the text as written.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u2300-\u23ff\u3030\u303d]"
)
# Fewer letters than this, and capitals say nothing ("OK", "USMCA").
_CAPITALS_MIN_LETTERS = 16


@dataclass(frozen=True)
class TextSignals:
    links: int
    # Links to a domain under one of the TLDs spam favours (_ABUSED_TLDS).
    abused_domains: int
    invite_links: int
    mentions: int
    phone_numbers: int
    money: int
    # Phrases asking readers to write privately ("DM me", "в личку").
    private_contact: int
    emoji: int
    # Words mixing Latin letters with Cyrillic or Greek look-alikes ("Вitсоin").
    disguised: int
    # Share of capitals among the letters, 0.0 to 1.0 (0.0 for a short text).
    capitals: float


def read_signals(raw: str, normalised: str) -> TextSignals:
    """`raw` as the reader wrote it (emoji, capitals), `normalised` for the rest, so that
    "t . me" tricks undone by normalisation still count."""
    raw = raw[:MAX_CHARS]
    invites = len(_INVITE.findall(normalised))
    phones = sum(1 for match in _PHONE.findall(normalised) if len(_DIGIT.findall(match)) >= 10)
    return TextSignals(
        links=len(_LINK.findall(normalised)),
        abused_domains=len(_ABUSED_DOMAIN.findall(normalised)),
        invite_links=invites,
        mentions=len(_MENTION.findall(normalised)),
        phone_numbers=phones,
        money=len(_MONEY.findall(normalised)),
        private_contact=len(_PRIVATE_CONTACT.findall(normalised)),
        emoji=len(_EMOJI.findall(raw)),
        disguised=disguised_words(unicodedata.normalize("NFKC", raw)),
        capitals=_capitals(raw),
    )


def _capitals(raw: str) -> float:
    letters = 0
    upper = 0
    for char in unicodedata.normalize("NFKC", raw):
        if char.isalpha():
            letters += 1
            upper += char.isupper()
    if letters < _CAPITALS_MIN_LETTERS:
        return 0.0
    return upper / letters


def signal_tokens(signals: TextSignals) -> list[str]:
    """The signals as words for the classifier, which learns how much each tells."""
    tokens = []
    for name, count in (
        ("link", signals.links),
        ("invite", signals.invite_links),
        ("mention", signals.mentions),
        ("phone", signals.phone_numbers),
        ("money", signals.money),
        ("disguised", signals.disguised),
    ):
        if count:
            tokens.append(f"!{name}")
    if signals.emoji >= 3:
        tokens.append("!emoji3")
    if signals.capitals >= 0.5:
        tokens.append("!caps")
    return tokens

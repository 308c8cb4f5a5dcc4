"""The words of the spam wave benchmark (benchmarks.spam_wave): spam as Telegram's comment
threads get it, and genuine comments under an article on Mexico and the United States.

The spam is written here, not taken from the starter set (bot/spam/starter/*.txt): six
kinds that thread spam takes (crypto signals, "earn $500 a day, DM me", dating links,
follower shops, remote "jobs"), in English, Spanish and Russian, modelled on tg-spam's
samples (benchmarks/data/tg_spam). Each account of a kind sends copies of one text
"lightly changed", as spam scripts do: other numbers, names and links, emoji added or
dropped, words swapped for synonyms, a capital or a look-alike letter here and there.
"""

from __future__ import annotations

import random

# Each kind: a text with {slots}, and the choices for each slot.
KINDS: list[tuple[str, dict[str, list[str]]]] = [
    (
        "{hey} {free} {coin} signals {today}, {pct}% accuracy {rocket} join the VIP group"
        " t.me/+{code} before it closes",
        {
            "hey": ["Hey guys!", "Hello all,", "Attention traders:", "Guys,"],
            "free": ["Free", "FREE", "Private", "Premium"],
            "coin": ["Bitcoin", "BTC", "crypto", "altcoin"],
            "today": ["today", "this week", "every day", "right now"],
            "pct": ["92", "95", "97", "98", "99"],
            "rocket": ["🚀", "🚀🚀", "📈🚀", "💎🚀", "🔥"],
            "code": ["Qw3rTy8Lm", "Zx9Pk2Aa", "Mn7Hb4Cd", "Rt5Vy1Ee", "Lp0Ss6Ff"],
        },
    ),
    (
        "I {earn} ${amount} a day from home with just my phone, {no_exp}. {dm} {money}"
        " and I will show you how",
        {
            "earn": ["earn", "make", "get paid"],
            "amount": ["500", "450", "600", "550", "700"],
            "no_exp": ["no experience needed", "no skills required", "anyone can do it"],
            "dm": ["DM me", "Message me", "Write me in private", "Inbox me"],
            "money": ["💰", "💰💰", "💵💰", "🤑", ""],
        },
    ),
    (
        "{gana} {amount} dólares {period} desde casa {money} sin experiencia, {write} y te"
        " explico cómo {hands}",
        {
            "gana": ["Gana", "Puedes ganar", "Estoy ganando", "Genera"],
            "amount": ["300", "500", "800", "1000", "250"],
            "period": ["al día", "diarios", "por semana", "cada día"],
            "money": ["💰", "💵", "🤑💰", "💸"],
            "write": ["escríbeme por privado", "mándame mensaje", "escríbeme al DM", "háblame"],
            "hands": ["🙌", "👇", "✅", "😉", ""],
        },
    ),
    (
        "{need} для {remote} работы, доход от {amount}$ в неделю {money} {age}, {write} {hand}",
        {
            "need": ["Нужны люди", "Ищу людей", "Набираю людей", "Требуются люди"],
            "remote": ["удалённой", "онлайн", "лёгкой удалённой"],
            "amount": ["700", "900", "1200", "1500", "800"],
            "money": ["💸", "💰", "💵💵", "🔥💸"],
            "age": ["от 18 лет", "18+", "с 18 лет", "возраст 18-60"],
            "write": ["пиши + в личку", "пишите + в ЛС", "пиши в личные", "жду в личке"],
            "hand": ["👇", "✅", "‼️", ""],
        },
    ),
    (
        "Hola, soy {name}, tengo {age} años {kiss} {lonely} Mis fotos {sexy} aquí {site} {eyes}",
        {
            "name": ["Valeria", "Camila", "Daniela", "Sofía", "Ximena"],
            "age": ["21", "22", "23", "24", "25"],
            "kiss": ["😘", "💋", "😘💋", "❤️"],
            "lonely": [
                "¿Alguien quiere hablar conmigo esta noche?",
                "Me siento sola hoy...",
                "Busco un chico para conocernos",
                "¿Quién quiere conocerme?",
            ],
            "sexy": ["privadas", "sin censura", "calientes", "exclusivas"],
            "site": ["citas-amor.top", "chicas-cerca.xyz", "amorlatino.click", "miperfil.fun"],
            "eyes": ["🔥", "😏", "🔞", "👀", ""],
        },
    ),
    (
        "{buy} real {network} followers and likes, {k}k for only ${price}! {fast} Order at"
        " @{shop} {star}",
        {
            "buy": ["Buy", "Get", "Grow with", "Boost your page with"],
            "network": ["Instagram", "TikTok", "Instagram and TikTok", "Telegram"],
            "k": ["5", "10", "20", "50"],
            "price": ["9", "15", "19", "29", "49"],
            "fast": ["Fast delivery.", "Delivered in 1 hour.", "100% safe.", "No password."],
            "shop": ["smm_king_shop", "followers_fast", "boostlikes_24", "growpage_store"],
            "star": ["⭐", "⭐⭐⭐", "🔥", "✅✅", ""],
        },
    ),
]

# A look-alike letter put in for a Latin one, as spam does to slip past word filters.
_LOOKALIKE = {"a": "а", "o": "о", "e": "е", "c": "с", "p": "р"}

GENUINE = [
    "The tariffs on Mexican steel will hurt workers on both sides of the border.",
    "Remittances from the US kept my hometown in Oaxaca alive during the pandemic.",
    "Good piece. The USMCA review next year matters more than any speech about the wall.",
    "I cross from Tijuana to San Diego every day for work, the wait is now three hours.",
    "Water from the Rio Grande is the quiet crisis here, the 1944 treaty needs updating.",
    "You left out that most fentanyl is smuggled by US citizens through legal crossings.",
    "Los aranceles al acero mexicano van a afectar a los trabajadores de ambos lados.",
    "Muy buen artículo, la relación con Washington nunca había estado tan tensa.",
    "Vivo en Ciudad Juárez y la frontera ya no es la misma desde hace diez años.",
    "¿Alguien sabe si el T-MEC se revisa en 2026? El artículo no lo aclara.",
    "Sheinbaum ha manejado bien las amenazas de aranceles, mejor que lo esperado.",
    "Las remesas son casi el cuatro por ciento del PIB, eso merecía más espacio.",
]


def spam_messages(accounts: int, per_account: int, seed: int) -> list[list[str]]:
    """Each account's messages: the kinds shared out among the accounts, each message a
    light change of its kind's text, none the same as another."""
    rng = random.Random(seed)
    seen: set[str] = set()
    messages = []
    for account in range(accounts):
        template, slots = KINDS[account % len(KINDS)]
        own: list[str] = []
        while len(own) < per_account:
            text = _vary(rng, template.format(**{k: rng.choice(v) for k, v in slots.items()}))
            if text not in seen:
                seen.add(text)
                own.append(text)
        messages.append(own)
    return messages


def _vary(rng: random.Random, text: str) -> str:
    text = " ".join(text.split())
    roll = rng.random()
    if roll < 0.2:
        text = text.replace("!", "!!!") if "!" in text else text + "!!"
    elif roll < 0.35:
        text = text.upper()
    elif roll < 0.5:
        words = text.split()
        index = rng.randrange(len(words))
        words[index] = "".join(_LOOKALIKE.get(char, char) for char in words[index])
        text = " ".join(words)
    elif roll < 0.6:
        text = text.lower()
    return text

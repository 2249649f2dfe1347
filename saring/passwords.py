"""Passwords: the rules a new password must meet, and first passwords that a learner can read off a
printed card and type on a phone."""

import functools
import secrets
import unicodedata
from pathlib import Path

from flask_babel import gettext as _

PASSWORD_MIN, PASSWORD_MAX = 8, 128
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")

# Short, common Indonesian words without letters that print alike (no i, l, o).
WORDS = (
    "apa", "awan", "bambu", "batu", "bebek", "benang", "buah", "buku", "bunga", "burung", "cabe", "daun",
    "gajah", "garam", "gunung", "harum", "hujan", "jagung", "jambu", "jeruk", "kabut",
    "kacang", "kapas", "kapur", "kebun", "kera", "kunang", "kursus", "madu", "mangga", "meja", "merah",
    "nanas", "padang", "pagar", "panda", "papan", "pasar", "perahu", "rusa", "sabun", "sapu",
    "sawah", "semut", "senja", "sepatu", "tanah", "tebu", "teh", "tenang", "ubur", "udang", "unta", "warna",
    "zebra", "rumah", "kembang", "jamur", "bakau", "gurun", "bayam", "dayung", "embun", "hutan", "katak",
    "kerang", "kuda", "mawar",
    "mentega", "nangka", "pantun", "payung", "rambut", "rebana", "sagu", "sarung", "senar", "tambur", "tebak",
)


def generate_password() -> str:
    """Three words and three digits, like `kuda-payung-senja-472`: about 28 bits, easy to type.

    Only ever a first password: the learner must change it when first logging in.
    """
    words = [secrets.choice(WORDS) for _ in range(3)]
    return "-".join(words) + f"-{secrets.randbelow(900) + 100}"


def password_problem(password: str, username: str | None) -> str | None:
    """What is wrong with `password` as a new password for `username`, said in the reader's language;
    None when it will do. Only new passwords are held to this: an older, weaker one still logs in."""
    if len(password) < PASSWORD_MIN:
        return _("Choose a longer password, at least %(min)d characters: a short sentence is easy to remember.",
                 min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _("This password is too long: use at most %(max)d characters.", max=PASSWORD_MAX)
    folded = comparable(password)
    if username and folded == comparable(username):
        return _("Your password cannot be your username. Choose something only you know.")
    if folded in common_passwords():
        return _("Many people use this password, so it is easy to guess. Add a few words of your own.")
    return None


def comparable(text: str) -> str:
    """`text` as the common-password list holds it: NFKC, casefolded, without spaces ("I love you" is "iloveyou")."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@functools.cache
def common_passwords() -> frozenset[str]:
    """The common passwords (saring/common-passwords.txt, where its sources are named), read once."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))

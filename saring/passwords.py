"""First passwords that a learner can read off a printed card and type on a phone."""

import secrets

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

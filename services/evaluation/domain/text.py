"""Vietnamese text rules: normalisation, folding and mojibake detection (domain layer, pure Python)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Invisible characters that spreadsheets and PDF copies leave in cells (zero-width space/joiners,
# word joiner, BOM, soft hyphen) and C0 control characters that are not whitespace.
_INVISIBLE = {ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"}
_INVISIBLE.update({c: None for c in [*range(0x20), 0x7F] if not chr(c).isspace()})


def normalize_text(s: str) -> str:
    """Strip, collapse inner whitespace to one space, drop invisible characters, Unicode NFC."""
    return " ".join(unicodedata.normalize("NFC", s.translate(_INVISIBLE)).split())


def fold_text(s: str) -> str:
    """A case-, accent- and punctuation-insensitive key: 'Mã hộ' -> 'ma ho', 'Đ' -> 'd'."""
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", bare.casefold()).split())


# --- Vietnamese syllables --------------------------------------------------------------------------

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_INITIALS = (
    *("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu"),
    *("b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", ""),
)
_FINALS = ("ch", "nh", "ng", "c", "k", "m", "n", "p", "t", "")
_STOP_FINALS = frozenset(("ch", "c", "k", "p", "t"))
# Vowel groups by the finals they allow: a glide-final group (ai, ao, ...) or an open diphthong (ia, ua,
# ưa) takes no consonant; iê, uô, ươ, ă, â (and oo, oă, uâ) need one; nh/ch follow only a, ê, i, y,
# oa, uê, uy.
_OPEN_NUCLEI = frozenset(
    "ai ao au âu ay ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu oai oao oay oeo uây uôi ươi ươu uya uyu yêu "
    "uơ uơi".split()
)
_CLOSED_NUCLEI = frozenset("ă â iê yê uô ươ uyê oo oă uâ".split())
_FREE_NUCLEI = frozenset("a e ê i o ô ơ u ư y oa oe uê uy".split())
_NH_CH_NUCLEI = frozenset("a ê i y oa uê uy".split())


def _rhyme_ok(nucleus: str, final: str, tone: str | None) -> bool:
    """Whether a vowel group, a final consonant and a tone make a Vietnamese rhyme."""
    if final == "":
        allowed = nucleus in _OPEN_NUCLEI or nucleus in _FREE_NUCLEI
    elif final in ("nh", "ch"):
        allowed = nucleus in _NH_CH_NUCLEI
    else:
        allowed = nucleus in _CLOSED_NUCLEI or nucleus in _FREE_NUCLEI
    # A syllable closed by p, t, c, ch (k in minority place names) takes sắc or nặng, or no mark.
    return allowed and not (final in _STOP_FINALS and tone not in (None, "\u0301", "\u0323"))


def _split_tone(word: str) -> tuple[str, list[str]]:
    """The lower-case letters of a word without tone marks (shape marks kept), and its tone marks."""
    letters = []
    tones = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONE_MARKS:
            tones.append(ch)
        else:
            letters.append(ch)
    return unicodedata.normalize("NFC", "".join(letters)), tones


def is_vietnamese_syllable(word: str) -> bool:
    """Whether a word is a well-formed Vietnamese syllable (either tone placement is accepted)."""
    base, tones = _split_tone(word)
    if len(tones) > 1 or not base:
        return False
    tone = tones[0] if tones else None
    for initial in _INITIALS:
        if not base.startswith(initial):
            continue
        rest = base[len(initial) :]
        if initial == "qu" and rest[:1] in ("o", "u"):
            continue  # the u of qu is already the glide
        for final in _FINALS:
            if rest.endswith(final) and _rhyme_ok(rest[: len(rest) - len(final)], final, tone):
                return True
    return False


@lru_cache(maxsize=1)
def _vietnamese_letters() -> frozenset[str]:
    """Every precomposed non-ASCII letter of the Vietnamese alphabet, both cases."""
    found = {"đ", "Đ"}
    for code in range(0xC0, 0x1F00):
        ch = chr(code)
        base, tones = _split_tone(ch)
        if ch.isalpha() and len(tones) <= 1 and len(base) == 1 and base in "aăâeêioôơuưy":
            found.add(ch)
    return frozenset(found)


# --- legacy encodings seen through Windows-1252 -----------------------------------------------------

# cp1252 shows bytes 0x80-0x9F as these glyphs; undefined bytes come through as C1 controls.
_CP1252_HIGH = {bytes([b]).decode("cp1252", "ignore") or chr(b): b for b in range(0x80, 0xA0)}
_CP1252_HIGH.update({chr(b): b for b in range(0x80, 0xA0)})
_BYTE_OF = {**{chr(b): b for b in range(0xA0, 0x100)}, **_CP1252_HIGH}
_CONT = "".join(sorted(c for c, b in _BYTE_OF.items() if b < 0xC0))
_UTF8_RUN = re.compile(f"[\u00c2-\u00df][{re.escape(_CONT)}]|[\u00e0-\u00ef][{re.escape(_CONT)}]{{2}}")

# TCVN3 (ABC) bytes 0xA1-0xFF (0xB0-0xB4 are bare tone marks, left out) as latin-1, and their letters.
_TCVN3 = str.maketrans(
    "¡¢£¤¥¦§¨©ª«¬\xad®¯µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ",
    "ĂÂÊÔƠƯĐăâêôơưđẰàảãáạẲằẳẵắẴẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịòỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹýỵỐ",
)
# Characters that never occur inside a correct Vietnamese word but are common TCVN3 glyphs.
_LEGACY_SYMBOLS = frozenset("¡¢£¤¥¦§¨©ª«¬\xad®¯°±²³´µ¶·¸¹º»¼½¾¿×÷")

# VNI-Windows: a base letter followed by mark bytes; the tone bytes differ after a circumflex and a breve.
_VNI_TONES = {"\u0301": "ùá é", "\u0300": "øà è", "\u0309": "ûå ú", "\u0303": "õã ü", "\u0323": "ïä ë"}
_VNI_SINGLE = {"ơ": "ô", "ư": "ö", "đ": "ñ", "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}


def _vni_encode(letter: str) -> str:
    """The VNI-Windows spelling (as cp1252 text) of one lower-case Vietnamese letter."""
    if letter in _VNI_SINGLE:
        return _VNI_SINGLE[letter]
    base, *marks = unicodedata.normalize("NFD", letter)
    tone = next((m for m in marks if m in _TONE_MARKS), None)
    if "\u031b" in marks:  # horn: ơ/ư are single bytes, followed by a plain tone byte
        return _VNI_SINGLE[unicodedata.normalize("NFC", base + "\u031b")] + (
            _VNI_TONES[tone][0] if tone else ""
        )
    if "\u0302" in marks:
        return base + (_VNI_TONES[tone][1] if tone else "â")
    if "\u0306" in marks:
        return base + (_VNI_TONES[tone][3] if tone else "ê")
    return base + (_VNI_TONES[tone][0] if tone else "")


@lru_cache(maxsize=1)
def _vni_table() -> tuple[re.Pattern[str], dict[str, str]]:
    """A longest-first pattern over VNI spellings and the letter each one stands for."""
    table: dict[str, str] = {}
    for letter in _vietnamese_letters():
        lower = letter.lower()
        spelled = _vni_encode(lower)
        if spelled != lower:
            table[spelled if letter == lower else spelled.upper()] = letter
    keys = sorted(table, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))), table


def _tcvn3_decode(s: str) -> str:
    return s.translate(_TCVN3)


def _vni_decode(s: str) -> str:
    pattern, table = _vni_table()
    return pattern.sub(lambda m: table[m.group()], s)


def _utf8_decode(s: str, *, vietnamese_only: bool = False) -> str:
    """Undo UTF-8-read-as-cp1252 runs that decode to a letter (a Vietnamese one if asked)."""

    def fix(m: re.Match[str]) -> str:
        """One run: its letter if it decodes to one, else the run unchanged."""
        try:
            ch = bytes(_BYTE_OF[c] for c in m.group()).decode("utf-8")
        except UnicodeDecodeError:
            return m.group()
        if vietnamese_only:
            return ch if ch in _vietnamese_letters() or ch in _TONE_MARKS else m.group()
        return ch if ch.isalpha() or unicodedata.combining(ch) else m.group()

    return _UTF8_RUN.sub(fix, s)


# --- detection ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MojibakeFinding:
    """Why a text looks broken: the encoding family, the offending fragment and a likely repair."""

    family: str  # pdf_font | utf8_as_cp1252 | tcvn3_as_cp1252 | vni_as_cp1252 | legacy_font | lookalike
    fragment: str
    suggestion: str | None

    def __str__(self) -> str:
        label = FAMILY_LABELS[self.family][1]
        fix = f" (probably '{self.suggestion}')" if self.suggestion else ""
        return f"{label}: '{self.fragment}'{fix}"


FAMILY_LABELS = {  # family -> (Vietnamese label, English label)
    "pdf_font": ("chữ ƣ thay cho ư do lỗi phông khi chép từ PDF", "ƣ instead of ư (PDF font substitution)"),
    "utf8_as_cp1252": ("văn bản UTF-8 bị đọc sai thành Windows-1252", "UTF-8 text read as Windows-1252"),
    "tcvn3_as_cp1252": ("văn bản mã TCVN3 (ABC) chưa chuyển sang Unicode", "TCVN3 (ABC) text read as cp1252"),
    "vni_as_cp1252": ("văn bản mã VNI-Windows chưa chuyển sang Unicode", "VNI-Windows text read as cp1252"),
    "legacy_font": ("ký tự lạ của phông chữ cũ lẫn trong từ", "legacy font characters inside a word"),
    "lookalike": ("chữ Ð/ð (eth) thay cho Đ/đ", "Ð/ð (eth) instead of Đ/đ"),
}
_TOKEN_SPLIT = re.compile(r"[\s,.;:!?()\[\]{}\"/\\|+=*&%$#@<>_-]+")
_LOST_NBSP = re.compile(r"([a-zà-ỹ])Ã ")


def find_mojibake(s: str) -> MojibakeFinding | None:
    """The first sign of broken Vietnamese in a text, or None when it reads as correct text."""
    if s.isascii():
        return None
    text = unicodedata.normalize("NFC", s)
    pdf = re.search("[ƣƢ]", text)
    if pdf:
        fixed = text.replace("ƣ", "ư").replace("Ƣ", "Ư")
        return MojibakeFinding("pdf_font", _word_at(text, pdf.start()), normalize_text(fixed))
    for run in _UTF8_RUN.finditer(text):
        if _utf8_decode(run.group(), vietnamese_only=True) != run.group():
            fixed = normalize_text(_utf8_decode(text))
            return MojibakeFinding("utf8_as_cp1252", _word_at(text, run.start()), fixed)
    lost_nbsp = _LOST_NBSP.search(text)  # "à" is C3 A0 in UTF-8; the A0 (no-break space) became a space
    if lost_nbsp:
        fixed = _LOST_NBSP.sub(lambda m: m.group(1) + "à", text)
        return MojibakeFinding("utf8_as_cp1252", _word_at(text, lost_nbsp.start()), normalize_text(fixed))
    return _legacy_finding(text)


def _word_at(text: str, index: int) -> str:
    start = max(text.rfind(" ", 0, index), text.rfind("\n", 0, index)) + 1
    end = min((i for i in (text.find(" ", index), text.find("\n", index)) if i >= 0), default=len(text))
    return text[start:end]


def _mixed_case(word: str) -> bool:
    """A lower-case letter followed by a non-ASCII capital: never seen inside a correct word."""
    return any(a.islower() and b.isupper() and not b.isascii() for a, b in zip(word, word[1:], strict=False))


def _odd_case(word: str) -> bool:
    """Neither lower case, upper case nor title case (e.g. 'CAỉ', 'NguyÔn')."""
    letters = [c for c in word if c.isalpha()]
    return not (all(c.isupper() for c in letters) or all(c.islower() for c in letters[1:]))


def _is_bad(word: str) -> bool:
    return _odd_case(word) or not is_vietnamese_syllable(word)


_DECODERS = (("tcvn3_as_cp1252", _tcvn3_decode), ("vni_as_cp1252", _vni_decode))
# Vowel + VNI circumflex/breve byte: no Vietnamese word spells "aâ", "eâ", "oâ" or "aê".
_VNI_SIGNATURE = re.compile("[aeoAEO][âÂ]|[aA][êÊ]")


def _legacy_finding(text: str) -> MojibakeFinding | None:
    """Judge the whole text: the legacy decoding that turns the most broken words into syllables."""
    # Only words made of Windows-1252 characters can be a legacy encoding misread.
    words = [
        w
        for w in _TOKEN_SPLIT.split(text)
        if not w.isascii() and all(c in _BYTE_OF or c.isascii() for c in w)
    ]
    bad = [w for w in words if _is_bad(w)]
    if not bad:
        return None
    scores = []
    for rank, (family, decode) in enumerate(_DECODERS):
        still_bad = sum(_is_bad(decode(w)) for w in words)
        if still_bad < len(bad):
            scores.append((still_bad, rank, family, decode))
    if scores:
        _, _, family, decode = min(scores)
        fragment = next(w for w in bad if not _is_bad(decode(w)))
        return MojibakeFinding(family, fragment, normalize_text(decode(text)))
    return next(filter(None, (_odd_word(w, text) for w in bad)), None)


def _odd_word(word: str, text: str) -> MojibakeFinding | None:
    """Signs of a legacy encoding in a word that no decoding turns into a Vietnamese syllable."""
    if _VNI_SIGNATURE.search(word):  # e.g. a minority name: 'Nieâ' for 'Niê'
        return MojibakeFinding("vni_as_cp1252", word, normalize_text(_vni_decode(text)))
    if any(c in _LEGACY_SYMBOLS for c in word) and any(c.isalpha() for c in word):
        if all(c.isalpha() or c == "'" for c in _tcvn3_decode(word)):  # e.g. 'niª' for 'niê'
            return MojibakeFinding("tcvn3_as_cp1252", word, normalize_text(_tcvn3_decode(text)))
        return MojibakeFinding("legacy_font", word, None)
    fixed = word.replace("Ð", "Đ").replace("ð", "đ")
    if fixed != word and not _is_bad(fixed):
        return MojibakeFinding("lookalike", word, text.replace("Ð", "Đ").replace("ð", "đ"))
    if _mixed_case(word):
        return MojibakeFinding("legacy_font", word, None)
    return None


def detect_mojibake(s: str) -> str | None:
    """A reason string when the text looks like mis-decoded Vietnamese, else None."""
    finding = find_mojibake(s)
    return str(finding) if finding else None

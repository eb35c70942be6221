"""Slow, obviously-correct references for fastml.nn.tokenizers, and a varied corpus.

- ``naive_basic_tokenize``: BERT's basic tokenizer one character at a time, in the
  order Hugging Face's tokenizers applies it (clean, pad CJK ideographs with spaces,
  strip accents, lower-case each character, split on whitespace, split punctuation
  off), with the character tables of fastml.nn.tokenizers._unicode.
- ``naive_wordpiece``: greedy longest-match-first over every prefix, no bounds.
- ``naive_fasttext_hash`` / ``naive_char_ngrams``: fastText's FNV-1a hash and the
  n-grams of "<word>", written from the description.
- ``varied_texts``: the test corpus (English, accents in several scripts, CJK,
  Korean, Arabic, emoji and ZWJ sequences, punctuation runs, numbers, URLs, control
  characters, whitespace, very long words, empty strings, special tokens).
"""

from __future__ import annotations

import unicodedata

import numpy as np

from fastml.nn.tokenizers._unicode import (
    CJK_RANGES,
    CONTROL_RANGES,
    NONSPACING_MARK_RANGES,
    PUNCTUATION_RANGES,
    WHITESPACE_RANGES,
)


def _in(ranges, char):
    cp = ord(char)
    return any(start <= cp <= end for start, end in ranges)


def naive_basic_tokenize(text, *, lowercase=True, strip_accents=None, chinese=True):
    if strip_accents is None:
        strip_accents = lowercase
    cleaned = []
    for char in text:
        if _in(CONTROL_RANGES, char):
            continue
        cleaned.append(" " if _in(WHITESPACE_RANGES, char) else char)
    padded = []
    for char in cleaned:
        if chinese and _in(CJK_RANGES, char):
            padded += [" ", char, " "]
        else:
            padded.append(char)
    text = "".join(padded)
    if strip_accents:
        text = "".join(
            char
            for char in unicodedata.normalize("NFD", text)
            if not _in(NONSPACING_MARK_RANGES, char)
        )
    if lowercase:
        text = "".join("\u03c3" if char == "\u03a3" else char.lower() for char in text)
    words = []
    for chunk in text.split(" "):
        current = ""
        for char in chunk:
            if _in(WHITESPACE_RANGES, char):
                if current:
                    words.append(current)
                current = ""
            elif _in(PUNCTUATION_RANGES, char):
                if current:
                    words.append(current)
                words.append(char)
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


def naive_wordpiece(word, vocab, unk="[UNK]", max_chars=100):
    if len(word) > max_chars:
        return [unk]
    pieces = []
    start = 0
    while start < len(word):
        found = None
        for end in range(len(word), start, -1):
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                found = piece
                break
        if found is None:
            return [unk]
        pieces.append(found)
        start = end
    return pieces


def naive_tokenize(text, vocab, specials, **options):
    """Special tokens kept whole (leftmost, longest), the rest basic + WordPiece."""
    tokens = []
    rest = text
    while rest:
        hits = [(rest.find(s), -len(s), s) for s in specials if s in rest]
        if not hits:
            break
        pos, _, special = min(hits)
        for word in naive_basic_tokenize(rest[:pos], **options):
            tokens += naive_wordpiece(word, vocab)
        tokens.append(special)
        rest = rest[pos + len(special) :]
    for word in naive_basic_tokenize(rest, **options):
        tokens += naive_wordpiece(word, vocab)
    return tokens


def naive_fasttext_hash(text):
    """32-bit FNV-1a over the UTF-8 bytes, each byte sign-extended (fastText reads
    them as signed chars) before the xor."""
    h = 2166136261
    for byte in text.encode("utf-8"):
        signed = byte - 256 if byte >= 128 else byte
        h ^= signed & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def naive_char_ngrams(word, minn=3, maxn=6):
    """All n-grams (minn <= n <= maxn characters) of "<word>", by start then
    length, the whole "<word>" included when in range, the lone "<" and ">" left
    out (they only arise with minn = 1)."""
    marked = "<" + word + ">"
    grams = []
    for start in range(len(marked)):
        for n in range(minn, maxn + 1):
            if start + n > len(marked):
                break
            gram = marked[start : start + n]
            if n == 1 and (start == 0 or start == len(marked) - 1):
                continue
            grams.append(gram)
    return grams


_ENGLISH = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello, world! How are you doing today?",
    "It's a truth universally acknowledged that a single man must be in want of a wife.",
    "Don't stop believing; hold on to that feeling.",
    "I can't believe it's not butter!",
    "The U.S.A. and the U.K. signed the treaty in 1945.",
    "She said: \"Yes\" -- and then (after a pause) 'no'.",
    "e-mail me at john.doe@example.com or call +1 (555) 123-4567.",
    "Visit https://www.example.org/path/to/page?query=1&lang=en#section now.",
    "Prices rose 3.5% to $1,234.56 on 2023-10-05 at 14:30:00 UTC.",
    "Machine learning models learn representations from data.",
    "Transformers use self-attention to relate tokens in a sequence.",
    "unaffable unbelievably antidisestablishmentarianism supercalifragilistic",
    "The mitochondria is the powerhouse of the cell.",
    "A man, a plan, a canal: Panama!",
    "#hashtag @mention $TICKER &amp; <html> {json: [1, 2, 3]}",
    "def f(x): return x ** 2 + 3 * x - 1  # a comment",
    "C++ and C# are programming languages; so is Rust.",
    "snake_case, camelCase, PascalCase and kebab-case",
    "Numbers: 0 1 2 3 10 100 1000 3.14159 2.71828 6.022e23 -42 +7",
    "   leading and trailing spaces   ",
    "MULTIPLE    SPACES\tand\ttabs\nand\nnewlines\r\nand CRLF",
    "WHY ARE YOU SHOUTING?!?!",
    "ellipsis... and more.... and an em dash -- there",
    "'single quotes' and \"double quotes\" and `backticks`",
    "The year 2024 was a leap year; 2023 was not.",
    "Sentence-transformers map sentences to dense vectors.",
    "Tokenization splits text into sub-word units like ##ing.",
    "What's the time? It's 5 o'clock somewhere.",
    "Semicolons; colons: commas, periods. Question marks? Exclamation!",
]

_ACCENTS = [
    "Café au lait, crème brûlée et naïveté à la française.",
    "Ökonomie, Übermaß, Straße, Fußgänger und Größe.",
    "El niño comió piñata en el año pasado; ¿qué pasó? ¡Olé!",
    "Tiếng Việt có nhiều dấu: Nguyễn, Hà Nội, Đà Nẵng, phở.",
    "Zażółć gęślą jaźń; Łódź, Kraków, Gdańsk.",
    "Příliš žluťoučký kůň úpěl ďábelské ódy.",
    "İstanbul'da ılık bir gün; Iğdır, Şişli, Çanakkale.",
    "ΟΔΟΣ ΣΟΦΙΑΣ και η οδός σοφίας· Ἀθῆναι ἐστί.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Ёжик в тумане, йогурт, Україна, Ґанок.",
    "שָׁלוֹם עֲלֵיכֶם וּבְרָכָה",
    "नमस्ते दुनिया, हिन्दी भाषा।",
    "ภาษาไทย สวัสดีครับ",
    "Ångström, Øresund, Æsir, Þór, ðe",
    "ﬁnance ﬂow Ⅻ ① ½ ² ™ ℃",
    "e\u0301 a\u0300 o\u0308 n\u0303 (combining marks)",
    "Å vs A\u030a and é vs e\u0301",
    "Dvořák, Mañana, São Paulo, Curaçao, Reykjavík",
    "Ελληνικά: Αλφάβητο, ΣΙΣΥΦΟΣ, σίσυφος.",
    "Ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ ａｎｄ １２３",
]

_CJK = [
    "我爱自然语言处理。",
    "今天天气很好，我们去公园吧！",
    "日本語のテキスト：東京タワーへ行きます。",
    "ひらがな カタカナ 漢字 まじり",
    "中文English混合text测试123",
    "𠀀𠀁 rare ideographs 𪜀 and 𫝀",
    "한국어 텍스트입니다. 안녕하세요!",
    "서울특별시 강남구 테헤란로 123",
    "《红楼梦》是中国古典小说。",
    "「引用」と『二重引用』、そして【括弧】。",
]

_ARABIC = [
    "مرحبا بالعالم",
    "اللُّغَةُ العَرَبِيَّةُ جَمِيلَةٌ",
    "السلام عليكم، كيف حالك؟",
    "فارسی: سلام دنیا",
    "١٢٣٤٥ أرقام عربية",
]

_EMOJI = [
    "I love pizza 🍕 and tacos 🌮!",
    "family: 👨\u200d👩\u200d👧\u200d👦 done",
    "thumbs 👍🏽 skin tone, flag 🇫🇷 and 🏳\ufe0f\u200d🌈",
    "hearts ❤️💕💖 and faces 😀😂🥰🫠",
    "keycap 1\ufe0f\u20e3 and ©️ ®️",
    "emoji🙂glued🙂to🙂words",
]

_PUNCT = [
    "!!!???...,,,;;;:::",
    "—–-‐ ‒ dashes — everywhere –",
    "«guillemets» „Anführungszeichen“ “curly” ‘quotes’",
    "¡¿inverted?! ※ † ‡ § ¶ • ‣ ′ ″",
    "(((nested [brackets {and} braces])))",
    "a.b.c.d e/f/g\\h i|j k~l m^n o`p",
    "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
    "....................................",
    "€100 £50 ¥1000 ₹20 ₩500 ₿0.1",
    "→ ← ↑ ↓ ⇒ ∀ ∃ ∈ ∑ ∫ √ ∞ ≈ ≠ ≤ ≥",
]

_CONTROL = [
    "null\x00char",
    "bell\x07and\x1bescape",
    "replacement\ufffdchar",
    "zero\u200bwidth\u200cjoiner\u200dmarks",
    "left\u200eright\u200fmarks\u202aembed\u202c",
    "soft\u00adhyphen",
    "bom\ufeffinside",
    "vertical\x0btab and form\x0cfeed",
    "next\x85line and line\u2028separator\u2029paragraph",
    "no-break\u00a0space and ideographic\u3000space",
    "thin\u2009space\u202fnarrow",
    "\t\ttabs only\t\t",
    "\n\nnewlines\n\n",
    "private\ue000use\U000f0000chars",
    "unassigned \u0378 \U0001fffe code points",
    "\x01\x02\x03\x04",
]

_SPECIAL = [
    "[CLS] already there [SEP]",
    "a[SEP]b[MASK]c",
    "[MASK] is the capital of France.",
    "[cls] lower-case is not special",
    "[UNK][PAD][UNK]",
    "[ SEP ] spaced is not special",
    "[[MASK]]",
]


def _long_words():
    return [
        "a" * 100,
        "a" * 101,
        "word " + "x" * 150 + " end",
        "é" * 100 + " " + "é" * 101,
        "supercalifragilisticexpialidocious" * 4,
        "https://example.com/" + "abc" * 40,
        "中" * 120,
        "un" + "believ" * 20 + "able",
        ("hello " * 200).strip(),
        " ".join(["word"] * 600),
    ]


def _random_texts(n, seed):
    """Random mixes of words, letters from many scripts, marks, punctuation,
    controls and whitespace."""
    rng = np.random.default_rng(seed)
    pools = [
        list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
        list("àáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĒēĪīŌōŪūŁłŚśŹźŻż"),
        list("αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΣΩάέήίόύώ"),
        list("абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗ"),
        list("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年"),
        list("가나다라마바사아자차카타파하한국어글"),
        list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي"),
        list(".,;:!?'\"()[]{}-_/\\@#$%^&*+=<>|~`…—–«»¿¡。、！？"),
        ["\u0301", "\u0308", "\u0327", "\u064e", "\u05b8", "\u093f"],
        ["😀", "🍕", "👍🏽", "❤️", "🇯🇵", "👩\u200d💻", "🫠"],
        [" ", " ", " ", "\t", "\n", "\u00a0", "\u3000", "\x00", "\u200b", "\ufffd"],
    ]
    weights = np.array([30, 8, 5, 5, 6, 5, 5, 10, 3, 3, 20], dtype=float)
    weights /= weights.sum()
    texts = []
    for _ in range(n):
        length = int(rng.integers(0, 80))
        chars = []
        for _ in range(length):
            pool = pools[rng.choice(len(pools), p=weights)]
            chars.append(pool[rng.integers(len(pool))])
        texts.append("".join(chars))
    return texts


def varied_texts(n_random=150, seed=0):
    """The fixed corpus plus ``n_random`` seeded random mixes."""
    fixed = _ENGLISH + _ACCENTS + _CJK + _ARABIC + _EMOJI + _PUNCT + _CONTROL + _SPECIAL
    fixed += _long_words()
    fixed += ["", " ", "\t\n", "a", "A", ".", "中", "😀"]
    upper = [text.upper() for text in _ENGLISH[:15] + _ACCENTS[:10]]
    return fixed + upper + _random_texts(n_random, seed)

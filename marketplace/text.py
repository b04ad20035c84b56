"""How the shop reads Vietnamese and English words: folding, words, typo distance, highlighting.
Both search backends, the highlighter, the gift combos' matcher and the till's product finder use these,
so a query matches the same way everywhere."""
from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
FUZZY_MIN_LENGTH = 5  # one typo is forgiven in a word of 5+ letters
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without diacritics, đ → d: 'TRÀ Shan Tuyết Đắk Lắk' → 'tra shan tuyet dak lak'."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def query_words(query: str | None) -> list[str]:
    """The folded words of a shopper's query; query syntax characters are just separators."""
    words = _WORD.findall(fold((query or "")[:MAX_QUERY_CHARS]).replace("_", " "))
    return words[:MAX_QUERY_WORDS]


def query_words_all(text: str | None) -> list[str]:
    """Every folded word of a text (a document's words; `query_words` caps a shopper's query)."""
    return _WORD.findall(fold(text or "").replace("_", " "))


def within_one_edit(a: str, b: str) -> bool:
    """True when b is a, or a with one letter changed, added, removed or two neighbours swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def word_matches(query_word: str, text_word: str, is_last: bool) -> bool:
    """The matching rule of a query word against a folded word of a document."""
    if text_word == query_word:
        return True
    if is_last and text_word.startswith(query_word):
        return True  # the shopper is still typing
    return len(query_word) >= FUZZY_MIN_LENGTH and within_one_edit(query_word, text_word)


def highlight(text: str | None, words: list[str]) -> Markup:
    """The text, escaped, with the words that match the query wrapped in <mark>."""
    text = text or ""
    if not words:
        return escape(text)
    out, last = [], 0
    for match in _WORD.finditer(text):
        folded = fold(match.group())
        if any(word_matches(w, folded, i == len(words) - 1) for i, w in enumerate(words)):
            out.append(escape(text[last:match.start()]))
            out.append(Markup("<mark>%s</mark>") % match.group())
            last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str | None, words: list[str], length: int = 160) -> Markup | None:
    """A piece of a long text around its first matching word, highlighted; None when none matches."""
    text = text or ""
    for match in _WORD.finditer(text):
        folded = fold(match.group())
        if any(word_matches(w, folded, i == len(words) - 1) for i, w in enumerate(words)):
            start = max(0, match.start() - length // 3)
            piece = text[start:start + length]
            prefix = "…" if start > 0 else ""
            suffix = "…" if start + length < len(text) else ""
            return Markup(prefix) + highlight(piece, words) + Markup(suffix)
    return None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class Vocabulary:
    """The indexed words, arranged to find every word within one edit of a query word quickly
    (each word is filed under itself and its one-letter deletions)."""

    def __init__(self, words):
        self.words = {w for w in words if not w.isdigit()}  # numbers are not typo-corrected
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.words:
            if len(word) >= 3:
                for key in _deletions(word) | {word}:
                    self._by_deletion.setdefault(key, set()).add(word)

    def near(self, word: str, min_length: int = FUZZY_MIN_LENGTH) -> set[str]:
        """Indexed words one typo away from `word` (not `word` itself)."""
        if len(word) < min_length:
            return set()
        candidates = set(self._by_deletion.get(word, ()))
        for key in _deletions(word):
            candidates |= self._by_deletion.get(key, set())
        return {c for c in candidates if c != word and within_one_edit(word, c)}

    def candidates(self, word: str) -> set[str]:
        """Words to weigh as corrections of an unknown word: those one edit away, else those
        sharing a two-letter deletion with it (most words two edits away)."""
        near = self.near(word, min_length=3)
        if near or len(word) < FUZZY_MIN_LENGTH:
            return near
        found = set()
        for first in _deletions(word):
            for key in _deletions(first):
                found |= self._by_deletion.get(key, set())
        return found


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def best_correction(word: str, candidates) -> str | None:
    """The known word closest to a word that matched nothing: at most 2 edits (1 for short words)."""
    limit = 2 if len(word) >= FUZZY_MIN_LENGTH else 1
    scored = [(edit_distance(word, c), abs(len(c) - len(word)), c) for c in candidates
              if abs(len(c) - len(word)) <= limit]
    scored = [s for s in scored if s[0] <= limit]
    return min(scored)[2] if scored else None


def correct(words: list[str], known, candidates_for) -> list[str] | None:
    """The query with each unknown word replaced by its best correction; None if nothing changed.
    `known(word)` tells whether a word is indexed; `candidates_for(word)` gives words to compare."""
    corrected, changed = [], False
    for word in words:
        settled = len(word) < 3 or word.isdigit() or known(word)
        best = None if settled else best_correction(word, candidates_for(word))
        corrected.append(best or word)
        changed = changed or best is not None
    return corrected if changed else None

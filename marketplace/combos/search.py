"""Finding gift combos by words. A shop has dozens of combos, not thousands, so they are matched here over
their texts in both languages (names, story, occasion, the province and region they tell of, their items'
names) and the words people use for a gift box, with the folding and typo rule of product search; only
combos on sale are candidates (the combos' listing rule), so an index can never be stale."""
from __future__ import annotations

from flask_babel import force_locale

from .. import ocop, text
from .models import OCCASIONS, Combo
from .services import ComboFilters, find_combos

# What a tourist or a Vietnamese shopper types for a box of gifts, in both languages.
# ("souvenir" is not one: it is an occasion, and finds the souvenir boxes.)
GIFT_WORDS = "gift gifts box boxes combo combos set hamper present qua tang hop bieu"


def _labels(code_labels: dict, key: str) -> str:
    words = []
    for locale in ("vi", "en"):
        with force_locale(locale):
            words.append(str(code_labels[key]))
    return " ".join(words)


def _words(combo: Combo) -> tuple[set[str], set[str]]:
    """(the words of its names, every other word that finds it), folded."""
    names = set(text.query_words_all(f"{combo.name} {combo.name_en or ''}"))
    region = ocop.region_of(combo.province_code)
    others = " ".join([
        combo.code.replace("-", " "), combo.story or "", combo.story_en or "",
        _labels(OCCASIONS, combo.occasion) + (" souvenirs" if combo.occasion == "souvenir" else ""),
        ocop.province_name(combo.province_code), _labels(ocop.REGIONS, region) if region else "", GIFT_WORDS,
        *(f"{item.product.name} {item.product.name_en or ''}" for item in combo.items)])
    return names, set(text.query_words_all(others))


def search_combos(query: str | None, filters: ComboFilters | None = None, limit: int = 24) -> list[Combo]:
    """Combos on sale matching every word of `query` (each in its names or anywhere else), names first;
    without words, every combo on sale by the filters."""
    words = text.query_words(query)
    candidates = find_combos(filters)
    if not words:
        return candidates[:limit]
    scored = []
    for combo in candidates:
        names, others = _words(combo)
        score = 0
        for n, word in enumerate(words):
            last = n == len(words) - 1
            if any(text.word_matches(word, found, last) for found in names):
                score += 3
            elif any(text.word_matches(word, found, last) for found in others):
                score += 1
            else:
                break
        else:
            scored.append((-score, combo.price_vnd, combo.id, combo))
    return [combo for *_key, combo in sorted(scored, key=lambda row: row[:3])][:limit]

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


def _words(combo: Combo) -> tuple[set[str], set[str], set[str]]:
    """The folded words that find a combo: (its names; what it is — code, occasion, place, region and the
    words for a gift box; what is in it — its story and its items' names)."""
    names = set(text.query_words_all(f"{combo.name} {combo.name_en or ''}"))
    region = ocop.region_of(combo.province_code)
    kind = " ".join([
        combo.code.replace("-", " "), _labels(OCCASIONS, combo.occasion) + (" souvenirs" if combo.occasion == "souvenir"
                                                                           else ""),
        ocop.province_name(combo.province_code), _labels(ocop.REGIONS, region) if region else "", GIFT_WORDS])
    inside = " ".join([combo.story or "", combo.story_en or "",
                       *(f"{item.product.name} {item.product.name_en or ''}" for item in combo.items)])
    return names, set(text.query_words_all(kind)), set(text.query_words_all(inside))


def search_combos(query: str | None, filters: ComboFilters | None = None, limit: int = 24,
                  gifts_asked: bool = False) -> list[Combo]:
    """Combos on sale matching every word of `query`, those matching by name first; without words, every
    combo on sale by the filters. `gifts_asked` (the product search's page): only combos every word of the
    query names as a gift (by its names, occasion, place or the words for a gift box), so "coffee" lists
    coffee, not the boxes that hold some."""
    words = text.query_words(query)
    candidates = find_combos(filters)
    if not words:
        return candidates[:limit]
    scored = []
    for combo in candidates:
        names, kind, inside = _words(combo)
        score = 0
        for n, word in enumerate(words):
            last = n == len(words) - 1
            if any(text.word_matches(word, found, last) for found in names):
                score += 3
            elif any(text.word_matches(word, found, last) for found in kind):
                score += 2
            elif not gifts_asked and any(text.word_matches(word, found, last) for found in inside):
                score += 1
            else:
                break
        else:
            scored.append((-score, combo.price_vnd, combo.id, combo))
    return [combo for *_key, combo in sorted(scored, key=lambda row: row[:3])][:limit]

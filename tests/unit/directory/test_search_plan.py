"""How the directory search picks the grams that drive it (directory/search.py), without a database."""
from __future__ import annotations

from directory.search import ESTIMATE_LIMIT, _two_grams

CAPPED = ESTIMATE_LIMIT  # a common gram: its count stopped at the limit


def test_the_rarest_gram_comes_first_then_the_next_rarest() -> None:
    assert _two_grams("防災課", [(CAPPED, "防災"), (40, "災課")]) == ("災課", "防災")
    assert _two_grams("防災課", [(30, "防災"), (40, "災課")]) == ("防災", "災課")


def test_among_equally_common_grams_the_second_is_the_farthest_from_the_first() -> None:
    grams = ["子育", "育て", "て支", "支援", "援課"]
    assert _two_grams("子育て支援課", [(CAPPED, g) for g in grams]) == ("子育", "援課")
    assert _two_grams("子育て支援課", [(CAPPED, "子育"), (CAPPED, "育て"), (CAPPED, "て支"), (12, "支援"),
                                     (CAPPED, "援課")]) == ("支援", "子育")


def test_a_rarer_neighbour_still_wins_over_a_distant_common_gram() -> None:
    assert _two_grams("子育て支援課", [(5, "子育"), (6, "育て"), (CAPPED, "援課")]) == ("子育", "育て")


def test_short_terms() -> None:
    assert _two_grams("dx", [(300, "dx")]) == ("dx",)
    assert _two_grams("藤", [(CAPPED, None)]) == ()

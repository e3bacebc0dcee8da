"""`figures_dict` (the report's one-pass row fields) gives exactly what `Figures` gives."""

from __future__ import annotations

import itertools

from services.evaluation.domain.progress import Figures, figures_dict


def test_figures_dict_matches_figures_everywhere() -> None:
    for recognised, population, target in itertools.product(
        [0, 1, 3, 17, 18, 250], [None, 0, 1, 4, 20, 21, 1000], [None, 0.0, 0.12, 0.7, 0.85, 1.0]
    ):
        f = Figures(recognised, population, target)
        got = figures_dict(recognised, population, target)
        assert got == {
            "recognised": f.recognised,
            "population": f.population,
            "share": f.share,
            "target_share": f.target_share,
            "target_count": f.target_count,
            "needed": f.needed,
            "met": f.met,
        }
        assert [type(v) for v in got.values()] == [
            type(v)
            for v in (f.recognised, f.population, f.share, f.target_share, f.target_count, f.needed, f.met)
        ]

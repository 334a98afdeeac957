"""Key-people charts on hand-made tables, and the playbook file behind the style cards."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from core.people_charts import STANCE_COLOURS, coverage_heatmap_figure, relationship_map_figure
from core.people_playbook import LEVERS, levers, levers_in_place, style_card
from core.reference_fields import STYLES

ROLES = {
    "economic_buyer": "EB",
    "technical_buyer": "TB",
    "coach": "C",
    "user_buyer": "U",
    "gatekeeper": "G",
}
STANCES = {s: s.title() for s in STANCE_COLOURS}
HEAT_LABELS = {"days": "d", "never": "never", "people": "People", "stance": "Stance"}


def cells() -> pd.DataFrame:
    """Account K (named '<i>K</i>') with an economic buyer 10 days ago (champion), a technical
    buyer 120 days ago (detractor), a coach with no date and no stance; nobody else."""
    rows = []
    for role in ROLES:
        people, names, stance, days = 0, None, None, None
        if role == "economic_buyer":
            people, names, stance, days = 1, "Ann", "champion", 10
        elif role == "technical_buyer":
            people, names, stance, days = 1, "Tom", "detractor", 120
        elif role == "coach":
            people, names = 1, "Cy"
        rows.append(
            {
                "account_id": "K",
                "name": "<i>K</i>",
                "buying_role": role,
                "people": people,
                "names": names,
                "stance": stance,
                "days": days,
            }
        )
    return pd.DataFrame(rows)


class TestHeatmap:
    def test_cells_coded_by_stance_with_recency(self) -> None:
        figure = coverage_heatmap_figure(cells(), "Title", ROLES, STANCES, HEAT_LABELS, 90)
        heat = figure.data[0]
        assert list(heat.x) == ["EB", "TB", "C", "U", "G"]
        assert list(heat.y) == ["&lt;i&gt;K&lt;/i&gt;  "]
        # Codes by position in STANCE_COLOURS (none 0 … champion 5), centred in their band.
        assert heat.z[0] == [5.5, 1.5, 2.5, 0.5, 0.5]
        assert heat.text[0] == ["10d", "120d !", "never !", "", ""]
        legend = [trace.name for trace in figure.data[1:]]
        assert legend == ["Champion", "Supporter", "Neutral", "Detractor", "Unknown", "None"]

    def test_band_colours_follow_the_stances(self) -> None:
        scale = coverage_heatmap_figure(cells(), "T", ROLES, STANCES, HEAT_LABELS, 90).data[0]
        colours = [step[1] for step in scale.colorscale]
        assert colours[0] == STANCE_COLOURS["none"] and colours[-1] == STANCE_COLOURS["champion"]


class TestRelationshipMap:
    def test_markers_sized_by_influence_coloured_by_stance(self) -> None:
        people = pd.DataFrame(
            {
                "contact_name": ["Ann", "Bo", "Cy"],
                "title": ["CEO", None, "QA"],
                "buying_role": ["economic_buyer", "user_buyer", "user_buyer"],
                "style": ["driver", "amiable", None],
                "influence": [5, 2, 3],
                "stance": ["champion", "detractor", "detractor"],
                "last_contact": [date(2026, 1, 1)] * 3,
                "days": [10, None, 40],
                "owner": ["Me"] * 3,
                "source": ["default"] * 3,
            }
        )
        labels = {"influence": "Influence", "days": "d", "never": "never", "title": "Title"}
        figure = relationship_map_figure(people, "Map", ROLES, STANCES, labels)
        by_name = {
            name: (trace.name, trace.marker.color, size, x, y)
            for trace in figure.data
            for name, size, x, y in zip(
                trace.text, trace.marker.size, trace.x, trace.y, strict=True
            )
        }
        # Columns by role order: economic buyer 0, technical 1, coach 2, user 3, gatekeeper 4;
        # within a column the most influential on top (Cy 3 above Bo 2).
        assert by_name["Ann"] == ("Champion", STANCE_COLOURS["champion"], 14 + 9 * 5, 0, 0)
        assert by_name["Cy"] == ("Detractor", STANCE_COLOURS["detractor"], 14 + 9 * 3, 3, 0)
        assert by_name["Bo"][2:] == (14 + 9 * 2, 3, -1)


class TestPlaybook:
    @pytest.mark.parametrize("language", ["en", "zh"])
    def test_every_style_has_a_card(self, language: str) -> None:
        for style in STYLES:
            card = style_card(style, language)  # type: ignore[arg-type]
            assert card.approach and len(card.do) >= 2 and card.avoid

    def test_the_articles_words_head_the_chinese_cards(self) -> None:
        assert [style_card(s, "zh").label for s in STYLES] == [
            "领导型",
            "影响型",
            "检查型",
            "跟踪型",
        ]
        assert style_card("expressive", "en").approach == "Meet them expert to expert."

    def test_six_levers_in_both_languages(self) -> None:
        assert [lever.lever for lever in levers("zh")] == list(LEVERS)
        assert levers("en")[3].label == "Executive-to-executive contact"

    def test_levers_in_place_from_the_contacts(self) -> None:
        """A coach is named; the economic buyer was last met 120 days ago (not recent)."""
        people = pd.DataFrame({"buying_role": ["coach", "economic_buyer"], "days": [5, 120]})
        assert levers_in_place(people, 90) == {"introducer": True, "executive": False}
        assert levers_in_place(people, 150) == {"introducer": True, "executive": True}

    def test_unknown_style_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown style 'boss'"):
            style_card("boss", "en")

"""The shared alert list: short lists flat, long ones grouped by rule with 'act' groups open."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest


def _script(count_watch: int, count_act: int) -> None:
    from core.alerts import Alert
    from ui.alerts import AlertTexts, render_alert_list

    def alert(rule: str, severity: str, index: int) -> Alert:
        return Alert(
            rule=rule,
            severity=severity,
            message_key="discounts.alert.creep",
            params={
                "account": f"Acct {index}",
                "key": f"K{index}",
                "points": 3.0,
                "rate_prior": 0.1,
                "rate_last": 0.13,
                "threshold": 2.0,
            },
            evidence={"points": 3.0},
            accounts=[f"K{index}"],
        )

    alerts = [alert("buys_nothing", "act", i) for i in range(count_act)]
    alerts += [alert("creep", "watch", 100 + i) for i in range(count_watch)]
    texts = AlertTexts(
        title=f"Alerts ({len(alerts)})",
        none="None",
        evidence_label="Evidence",
        involved="Accounts",
        severity=lambda code: {"act": "Act", "watch": "Watch"}[code],
        rule=lambda code: {"buys_nothing": "Buys nothing", "creep": "Creep"}[code],
        and_more=lambda n: f"and {n} more",
    )
    render_alert_list(alerts, texts, lambda a: "creep +3.0 pp", {}, "en")


def _run(count_watch: int, count_act: int) -> AppTest:
    at = AppTest.from_function(_script, args=(count_watch, count_act), default_timeout=30)
    return at.run()


class TestAlertList:
    def test_five_or_fewer_are_one_flat_list(self) -> None:
        at = _run(count_watch=4, count_act=1)
        assert not at.expander
        assert (len(at.error), len(at.warning)) == (1, 4)

    def test_a_long_list_is_grouped_by_rule_with_counts(self) -> None:
        at = _run(count_watch=12, count_act=2)
        # Labels are markdown-escaped, as names in them may carry markdown.
        labels = [re.sub(r"\\(.)", r"\1", expander.label) for expander in at.expander]
        assert labels == ["Act · Buys nothing (2)", "Watch · Creep (12)"]
        assert "Act: 2 · Watch: 12" in [caption.value for caption in at.caption]
        # Every alert is still there, inside its rule's group.
        assert (len(at.error), len(at.warning)) == (2, 12)
        assert len(at.expander[1].warning) == 12

    def test_past_twenty_boxes_the_rest_is_one_table(self) -> None:
        """25 creep alerts: 20 boxes, then the 5 others as rows of one table."""
        at = _run(count_watch=25, count_act=0)
        group = at.expander[0]
        assert len(group.warning) == 20
        [table] = group.dataframe
        assert len(table.value) == 5
        assert table.value.iloc[0]["Severity"] == "Watch"
        assert "Acct 120" in table.value.iloc[0]["Alert"]
        assert "5 more, listed in a table" in [caption.value for caption in group.caption]

"""`keystone metrics` adds segments, tiers and the revenue bridge; earlier keys stay."""

from __future__ import annotations

import pytest

from tests.core.test_cli import Run

HEADER = "month,customer,segment,net revenue,cost\n"
# Jan–Feb: A 200 (intrinsic), B 100 (other), C 30 (extrinsic).
# Mar–Apr: A 300, C 60, D 20 (no segment); B bought nothing.
EXPORT = HEADER + "".join(
    f"{line}\n"
    for line in (
        "2024-01,A,intrinsic,100,60",
        "2024-01,B,other,50,25",
        "2024-02,A,intrinsic,100,60",
        "2024-02,B,other,50,25",
        "2024-02,C,extrinsic,30,20",
        "2024-03,A,intrinsic,150,90",
        "2024-03,C,extrinsic,40,20",
        "2024-03,D,,10,5",
        "2024-04,A,intrinsic,150,90",
        "2024-04,C,extrinsic,20,10",
        "2024-04,D,,10,5",
    )
)


@pytest.fixture
def run(tmp_path, capsys, monkeypatch) -> Run:
    monkeypatch.setenv("KEYSTONE_DB_PATH", str(tmp_path / "env.duckdb"))
    for name in ("REVENUE", "MARGIN", "GROWTH", "DISCOUNT", "BREADTH"):
        monkeypatch.delenv(f"KEYSTONE_SCORECARD__{name}", raising=False)
    runner = Run(tmp_path, capsys)
    code, _, err = runner("ingest", runner.file("sales.csv", EXPORT))
    assert (code, err) == (0, [])
    return runner


class TestMetricsKeys:
    def test_segments(self, run) -> None:
        code, out, _ = run("metrics", "--from", "2024-03", "--to", "2024-04")
        assert code == 0
        # Net revenue 300 + 60 + 20 = 380; gross profit 120, 30 and 10.
        assert out["segments"] == [
            {
                "segment": "intrinsic",
                "accounts": 1,
                "net_revenue": 300.0,
                "share": round(300 / 380, 6),
                "gross_profit": 120.0,
                "margin": 0.4,
            },
            {
                "segment": "extrinsic",
                "accounts": 1,
                "net_revenue": 60.0,
                "share": round(60 / 380, 6),
                "gross_profit": 30.0,
                "margin": 0.5,
            },
            {
                "segment": "unassigned",
                "accounts": 1,
                "net_revenue": 20.0,
                "share": round(20 / 380, 6),
                "gross_profit": 10.0,
                "margin": 0.5,
            },
        ]

    def test_bridge_against_the_period_before(self, run) -> None:
        _, out, _ = run("metrics", "--from", "2024-03", "--to", "2024-04")
        # 330 + 20 (D new) + 130 (A +100, C +30) − 0 − 100 (B lost) = 380.
        assert out["bridge"] == {
            "start": 330.0,
            "new": 20.0,
            "expansion": 130.0,
            "contraction": 0.0,
            "lost": 100.0,
            "end": 380.0,
        }

    def test_bridge_is_null_without_a_stored_prior_period(self, run) -> None:
        _, out, _ = run("metrics", "--from", "2024-01", "--to", "2024-02")
        assert out["bridge"] is None

    def test_tiers(self, run) -> None:
        _, out, _ = run("metrics", "--from", "2024-03", "--to", "2024-04")
        # No list prices or products: weights 30/25/20 scaled to 100 (40, 33.3, 26.7).
        # C: 40·50% + 33.3·75% + 26.7·100% = 71.7; A: 40·100% = 40; D: 33.3·75% + 26.7·50% = 38.3.
        # n = 3: C platinum, A gold, D iron.
        assert out["tiers"] == [
            {"tier": "platinum", "accounts": 1, "net_revenue": 60.0},
            {"tier": "gold", "accounts": 1, "net_revenue": 300.0},
            {"tier": "iron", "accounts": 1, "net_revenue": 20.0},
            {"tier": "lead", "accounts": 0, "net_revenue": 0.0},
        ]

    def test_weights_from_the_environment(self, run, monkeypatch) -> None:
        monkeypatch.setenv("KEYSTONE_SCORECARD__REVENUE", "100")
        monkeypatch.setenv("KEYSTONE_SCORECARD__MARGIN", "0")
        monkeypatch.setenv("KEYSTONE_SCORECARD__GROWTH", "0")
        monkeypatch.setenv("KEYSTONE_SCORECARD__DISCOUNT", "0")
        monkeypatch.setenv("KEYSTONE_SCORECARD__BREADTH", "0")
        _, out, _ = run("metrics", "--from", "2024-03", "--to", "2024-04")
        assert [tier["net_revenue"] for tier in out["tiers"]] == [300.0, 60.0, 20.0, 0.0]

    def test_invalid_weights_fail_with_the_message(self, run, monkeypatch) -> None:
        monkeypatch.setenv("KEYSTONE_SCORECARD__REVENUE", "50")
        code, out, err = run("metrics")
        assert code == 2
        assert "scorecard weights must sum to 100, not 120" in out["errors"][0]["message"]
        assert any("scorecard weights must sum to 100" in line for line in err)

    def test_earlier_keys_stay(self, run) -> None:
        _, out, _ = run("metrics", "--from", "2024-03", "--to", "2024-04")
        assert out["net_revenue"] == 380.0 and out["accounts"] == 3
        assert {"hhi", "top5_share", "discount_rate", "creep"} <= set(out)

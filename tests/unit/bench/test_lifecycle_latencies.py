"""The lifecycle benchmark's per-request latencies (bench/case_lifecycle.Latencies)."""

from __future__ import annotations

import time

from bench.case_lifecycle import Latencies, _latency


def test_each_kind_reports_its_mean_in_milliseconds_in_the_order_first_seen() -> None:
    latencies = Latencies()
    with latencies.timed("product open"):
        time.sleep(0.02)
    with latencies.timed("product submit"):
        pass
    with latencies.timed("product open"):
        pass

    means = latencies.means_ms()

    assert list(means) == ["product open", "product submit"]
    assert 10 <= means["product open"] < 1000  # (≥ 20 ms + ≈ 0) / 2
    assert means["product submit"] < means["product open"]


def test_a_failing_request_is_not_counted_and_clear_forgets_the_warm_up() -> None:
    latencies = Latencies()
    try:
        with latencies.timed("product evidence"):
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    with latencies.timed("bare step"):
        pass
    latencies.clear()
    with latencies.timed("bare open"):
        pass

    assert list(latencies.means_ms()) == ["bare open"]


def test_the_notes_name_each_kind_or_say_none_was_measured() -> None:
    assert _latency({"latency_ms": {"bare open": 96.5, "product open": 120.6}}) == (
        "bare open 96.5, product open 120.6"
    )
    assert _latency({}) == "not measured"

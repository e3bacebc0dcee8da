"""Failed sign-in throttling: per (account, address) and per address, sliding window, failures only."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.login_guard import LoginGuard, LoginLimits, TooManyAttempts


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def guard(per_account: int = 3, per_address: int = 10, window: float = 60.0) -> tuple[LoginGuard, Clock]:
    clock = Clock()
    return LoginGuard(LoginLimits(per_account, per_address, window), clock=clock), clock


def test_the_limit_th_failure_throttles_the_account_from_that_address_only() -> None:
    g, _ = guard()
    for _ in range(3):
        g.check("lan", "10.0.0.1")
        g.failed("lan", "10.0.0.1")
    with pytest.raises(TooManyAttempts) as refused:
        g.check("lan", "10.0.0.1")
    assert refused.value.status == 429 and refused.value.retry_after == 60
    assert "Đăng nhập sai quá nhiều lần" in refused.value.message_vi
    g.check("LAN ", "10.0.0.2")  # the same account from elsewhere: not throttled
    g.check("minh", "10.0.0.1")  # another account from the same address: not yet


def test_the_window_slides() -> None:
    g, clock = guard()
    for _ in range(3):
        g.failed("lan", "a")
        clock.now += 10
    with pytest.raises(TooManyAttempts) as refused:
        g.check("lan", "a")
    assert refused.value.retry_after == 30  # the first failure was 30 s ago, window 60 s
    clock.now += 30
    g.check("lan", "a")


def test_a_success_forgets_the_account_failures_but_not_the_address_count() -> None:
    g, _ = guard(per_account=3, per_address=5)
    for _ in range(2):
        g.failed("lan", "a")
    g.succeeded("lan", "a")
    for _ in range(2):
        g.failed("lan", "a")
    g.check("lan", "a")  # 2 since the success, 4 from the address
    g.failed("minh", "a")
    with pytest.raises(TooManyAttempts):  # password spraying: 5 failures from the address
        g.check("hoa", "a")


def test_zero_turns_a_limit_off() -> None:
    g, _ = guard(per_account=0, per_address=0)
    for _ in range(100):
        g.failed("lan", "a")
    g.check("lan", "a")


def test_threads_count_every_failure() -> None:
    g, _ = guard(per_account=1000, per_address=100_000)
    threads = [threading.Thread(target=lambda: [g.failed("lan", "a") for _ in range(100)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(g._failures[("account", "lan|a")]) == 800


@given(st.lists(st.tuples(st.sampled_from(["lan", "minh"]), st.floats(0, 200)), max_size=40))
def test_never_more_than_the_limit_of_failures_pass_within_a_window(events: list[tuple[str, float]]) -> None:
    """Whatever the timing, no window of `window` seconds lets more than `per_account` failures through."""
    g, clock = guard(per_account=3, per_address=1000, window=60.0)
    let_through: dict[str, list[float]] = {"lan": [], "minh": []}
    for account, step in events:
        clock.now += step
        try:
            g.check(account, "a")
        except TooManyAttempts:
            continue
        g.failed(account, "a")
        let_through[account].append(clock.now)
    for times in let_through.values():
        for i, t in enumerate(times):
            assert sum(1 for u in times[i:] if u < t + 60.0) <= 3

from bot.throttle import Throttle, Verdict


def test_events_over_the_limit_wait_for_the_window_to_move() -> None:
    now = [0.0]
    throttle = Throttle(2, 10.0, clock=lambda: now[0])
    assert [throttle.allow("a") for _ in range(3)] == [True, True, False]
    assert throttle.allow("b")
    now[0] = 10.5
    assert throttle.allow("a")


def test_memory_is_bounded_by_forgetting_the_oldest_keys() -> None:
    throttle = Throttle(1, 60.0, max_keys=2)
    for key in ("a", "b", "c"):
        assert throttle.allow(key)
    assert throttle.allow("a")  # forgotten, so allowed again


def test_a_flood_is_warned_once_then_quiet_until_the_window_moves() -> None:
    now = [0.0]
    throttle = Throttle(2, 30.0, clock=lambda: now[0])
    verdicts = [throttle.check("a") for _ in range(5)]
    assert verdicts == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.WARN,
        Verdict.QUIET,
        Verdict.QUIET,
    ]
    now[0] = 31.0
    assert throttle.check("a") is Verdict.ALLOW
    assert [throttle.check("a") for _ in range(2)] == [Verdict.ALLOW, Verdict.WARN]


def test_refused_messages_do_not_extend_the_wait() -> None:
    now = [0.0]
    throttle = Throttle(1, 10.0, clock=lambda: now[0])
    assert throttle.check("a") is Verdict.ALLOW
    now[0] = 9.0
    assert throttle.check("a") is Verdict.WARN
    now[0] = 10.5
    assert throttle.check("a") is Verdict.ALLOW


def test_a_limit_of_zero_switches_the_throttle_off() -> None:
    throttle = Throttle(0, 30.0)
    assert all(throttle.check("a") is Verdict.ALLOW for _ in range(100))

from bot.throttle import Throttle


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

"""Bounded polling: wait for something another process does, never sleep a fixed time."""
import time


def wait_for(predicate, timeout=30.0, interval=0.1, message="condition"):
    """Call `predicate` until it returns a truthy value (returned) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)

"""Resource bounds for worker processes (see posko/celery.py) and the one place that lifts them."""

import contextlib
import resource


@contextlib.contextmanager
def unbounded_children():
    """Let processes started inside this block (Chromium for screenshots, which reserves a huge address
    space up front) run without the worker's address-space cap; the worker itself is capped again after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    try:
        yield
    finally:
        if soft != hard:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

# A small filesystem of the test's own, to fill up for real (defined with the other private parts).
from tests.posko.conftest import tiny_disk  # noqa: F401

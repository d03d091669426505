import pytest

from complaints.models import Election


@pytest.fixture
def pemilu(db):
    return Election.objects.get(slug="pemilu-2024")


@pytest.fixture
def pilkada(db):
    return Election.objects.get(slug="pilkada-2024")

"""A workspace's caps and quiet hours are checked when saved through a form (the admin): an
unknown time zone or an empty send window would stop every planning run."""
import pytest
from django.core.exceptions import ValidationError

from campaigns.models import FrequencySettings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("changes, field", [
    ({"default_timezone": "Mars/Olympus_Mons"}, "default_timezone"),
    ({"default_timezone": " Europe/Berlin"}, "default_timezone"),
    ({"window_start_hour": 18, "window_end_hour": 8}, "window_end_hour"),
    ({"window_start_hour": 9, "window_end_hour": 9}, "window_end_hour"),
    ({"window_end_hour": 24}, "window_end_hour"),
])
def test_bad_settings_are_refused_with_the_field_named(workspace, changes, field):
    settings = FrequencySettings(workspace=workspace, **changes)
    with pytest.raises(ValidationError) as refused:
        settings.full_clean()
    assert field in refused.value.message_dict


def test_good_settings_pass(workspace):
    FrequencySettings(workspace=workspace, default_timezone="America/New_York", window_start_hour=7,
                      window_end_hour=19).full_clean()

"""Every scheduled entry names a task some app registered (a typo would fail silently in beat)."""
from abm_platform.celery import app


def test_every_beat_entry_is_a_registered_task():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert {"fail-abandoned-jobs", "purge-old-import-uploads", "refresh-due-signals", "campaigns-plan-and-send",
            "deliver-due-webhooks"} <= set(schedule)
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r} names unknown task {entry['task']!r}"
    assert schedule["refresh-due-signals"]["schedule"] <= 3600, "refresh due-ness is checked at least hourly"

"""Signal files: the file adapter (CSV, XLSX-like tables, JSON, JSON lines) and file-drop
providers pulled during a refresh."""
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from insights.signals.adapters import FileAdapter, SignalFileError
from insights.signals.models import EngagementEvent, IntentSignal, ProviderKind, SignalKind, TriggerEvent
from insights.signals.services.ingest import signals_ingest_from
from insights.signals.services.providers import drop_root, file_drop_pull, signal_provider_save

pytestmark = pytest.mark.django_db
MONDAY = (date.today() - timedelta(days=date.today().weekday() + 7)).isoformat()


def test_a_bombora_style_csv_is_read_with_its_own_column_names(tmp_path, workspace, hanse):
    path = tmp_path / "surge.csv"
    path.write_text("Company Name;Domain;Size;Topic;Category;Composite Score;Metro Area;Domain Origin Country;"
                    "week_start\n"
                    f"Hanse Cargo;hanse-cargo.de;1000-5000;Parcel Tracking;Logistics;77;Hamburg;DE;{MONDAY}\n"
                    f"Hanse Cargo;hanse-cargo.de;1000-5000;Returns;Logistics;high;Hamburg;DE;{MONDAY}\n",
                    encoding="utf-8")
    adapter = FileAdapter(path=path, kind="intent", source="bombora")

    report = signals_ingest_from(adapter, workspace=workspace)

    assert (report.created, report.rejected) == (1, 1)
    assert report.errors[0]["line"] == 3 and report.errors[0]["column"] == "score"
    assert adapter.ignored_columns == ["Size"]
    signal = IntentSignal.objects.for_workspace(workspace).get()
    assert (signal.score, signal.metro, signal.country, signal.provider) == (77, "Hamburg", "DE", "bombora")


def test_a_csv_without_a_required_column_is_refused_as_a_whole(tmp_path, workspace):
    path = tmp_path / "events.csv"
    path.write_text("type,email\nweb_visit,a@b.de\n")
    with pytest.raises(SignalFileError) as error:
        FileAdapter(path=path, kind="engagement").check_header()
    assert error.value.problems[0]["column"] == "occurred_at"


def test_json_arrays_and_json_lines(tmp_path, workspace, hanse):
    rows = [{"type": "funding", "occurred_on": "2026-01-10", "summary": "Series A", "external_id": "a",
             "account_domain": "hanse-cargo.de"},
            {"type": "expansion", "occurred_on": "2026-01-11", "summary": "New DC", "external_id": "b",
             "account_external_id": "P-1"}]
    array = tmp_path / "triggers.json"
    array.write_text(json.dumps(rows))
    lines = tmp_path / "events.jsonl"
    lines.write_text(json.dumps({"type": "email_click", "occurred_at": "2026-01-10T08:00:00Z", "external_id": "c1",
                                 "email": "ceo@hanse-cargo.de"}) + "\n\n{not json}\n")

    triggers = signals_ingest_from(FileAdapter(path=array, kind="trigger", source="news"), workspace=workspace)
    events = signals_ingest_from(FileAdapter(path=lines, kind="engagement", source="hubspot"), workspace=workspace)

    assert triggers.created == 2 and TriggerEvent.objects.for_workspace(workspace).count() == 2
    assert (events.created, events.rejected) == (1, 1)
    assert events.errors[0]["line"] == 3 and "not valid JSON" in events.errors[0]["reason"]
    assert EngagementEvent.objects.for_workspace(workspace).get().source == "hubspot"


def test_a_broken_json_file_is_refused_as_a_whole(tmp_path, workspace):
    path = tmp_path / "bad.json"
    path.write_text("[{")
    with pytest.raises(SignalFileError):
        list(FileAdapter(path=path, kind="trigger").rows())


def test_a_file_drop_is_pulled_once_and_its_files_moved_away(tmp_path, settings, workspace, hanse):
    settings.MEDIA_ROOT = tmp_path
    provider = signal_provider_save(workspace=workspace, name="Crunchbase", kind=ProviderKind.FILE_DROP,
                                    signal_kind=SignalKind.TRIGGER, config={"path": "crunchbase"})
    folder = drop_root(workspace.pk) / "crunchbase"
    (folder / "2026-01.csv").write_text("type,occurred_on,summary,source,external_id,account_domain\n"
                                        "funding,2026-01-10,Series B,ignored,cb-1,hanse-cargo.de\n")
    (folder / "still-uploading.csv.part").write_text("type\n")
    (folder / "broken.csv").write_text("nothing,useful\n1,2\n")

    first = file_drop_pull(provider=provider)
    second = file_drop_pull(provider=provider)

    assert first["files"] == 1 and first["created"] == 1 and len(first["failed_files"]) == 1
    assert second["files"] == 0 and second["created"] == 0
    assert TriggerEvent.objects.for_workspace(workspace).get().source == "crunchbase"  # the provider's name
    assert [p.name.endswith("-2026-01.csv") for p in (folder / "processed").iterdir()] == [True]
    assert len(list((folder / "failed").iterdir())) == 1
    assert (folder / "still-uploading.csv.part").exists()
    provider.refresh_from_db()
    assert provider.last_fetched_at is not None


@pytest.mark.parametrize("path", ["../other", "/etc", "a/../../b"])
def test_a_file_drop_cannot_point_outside_the_workspaces_folder(tmp_path, settings, workspace, path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        signal_provider_save(workspace=workspace, name="sneaky", kind=ProviderKind.FILE_DROP,
                             signal_kind=SignalKind.INTENT, config={"path": path})

"""Runs no longer stage aggregated activity: each chunk reads its accounts' events through the
events table's covering index (insights 0006), so the staging tables and the run's count of
staged rows go."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0002_run_activity_staging'),
        ('insights', '0006_engagement_event_account_cover_index'),
    ]

    operations = [
        migrations.DeleteModel(name='RunChannelActivity'),
        migrations.DeleteModel(name='RunPersonActivity'),
        migrations.RemoveField(model_name='scoringrun', name='staged_rows'),
    ]

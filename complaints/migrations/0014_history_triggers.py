# The events' trigger and unique place come after 0012 numbered and chained the existing events: PostgreSQL
# refuses to ALTER a table with row changes still pending their deferred checks in the same transaction.

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0013_history_append_only'),
    ]

    operations = [
        pgtrigger.migrations.AddTrigger(
            model_name='reportevent',
            trigger=pgtrigger.compiler.Trigger(name='event_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='19c1aec9a22e733da5f7055d187bc0fb2fa452ab', operation='UPDATE OR DELETE', pgid='pgtrigger_event_append_only_735c2', table='complaints_reportevent', when='BEFORE')),
        ),
        migrations.AddConstraint(
            model_name='reportevent',
            constraint=models.UniqueConstraint(fields=('report', 'seq'), name='event_unique_seq'),
        ),
    ]

"""Catalog Sync: the Chalice app. Wiring only: each handler hands its event to one service."""
from chalice import Chalice, Rate

from chalicelib import container
from chalicelib.api import api
from chalicelib.observability import invocation
from chalicelib.services.events import run_requested_sync
from chalicelib.services.export import export_batch as export_one_batch
from chalicelib.services.export import fail_dead_batch as fail_one_batch
from chalicelib.services.reconciliation import due_reconciliations
from chalicelib.services.sync import scheduled_syncs
from chalicelib.settings import DEAD_LETTER_QUEUE, EXPORT_QUEUE, SYNC_SCHEDULE_HOURS, TRIGGER_QUEUE

# Chalice would attach a second handler to the logger Powertools already formats (lines twice).
app = Chalice(app_name="catalog-sync", configure_logs=False)
app.register_blueprint(api, url_prefix="/api")


@app.schedule(Rate(SYNC_SCHEDULE_HOURS, unit=Rate.HOURS))
def run_hourly_sync(event):
    with invocation("run_hourly_sync"):
        runs = scheduled_syncs(container.context())
        due_reconciliations(container.context())  # daily per feed, once its reconcile sync has ended
    return {"run_ids": [run.run_id for run in runs]}


# One message per invocation: a message already carries a batch of rows, and Chalice cannot
# enable ReportBatchItemFailures, so a failure must only ever return one message to the queue.
@app.on_sqs_message(queue=EXPORT_QUEUE, batch_size=1)
def export_batch(event):
    with invocation("export_batch"):
        for record in event:  # the delivery's time budget ends before the Lambda's does
            export_one_batch(container.context(), record.body, event.context.get_remaining_time_in_millis)


@app.on_sqs_message(queue=DEAD_LETTER_QUEUE, batch_size=1)
def fail_dead_batch(event):
    with invocation("fail_dead_batch"):
        for record in event:
            fail_one_batch(container.context(), record.body)


# Change events request a sync through this queue, delayed by the debounce (one run per burst); a force
# sync opened by the API runs through it at once (the API answers before the reindex).
@app.on_sqs_message(queue=TRIGGER_QUEUE, batch_size=1)
def start_requested_sync(event):
    with invocation("start_requested_sync"):
        runs = [run_requested_sync(container.context(), record.body) for record in event]
    return {"run_ids": [run.run_id for run in runs if run]}

"""SQS pollers standing in for Lambda's event source mappings: one message per invocation."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .events import sqs_event

log = logging.getLogger("local.worker")

Handler = Callable[[dict, Any], Any]


class QueueWorker(threading.Thread):
    """Long-polls a queue and hands each message to a handler, as Lambda does with batch_size=1.

    Success deletes the message. An exception leaves it: it comes back after the visibility timeout,
    and the queue's redrive policy moves it to the DLQ after its last receive. On a FIFO queue (the export
    queue) one message a receive keeps Lambda's rule: a group whose message is in flight is withheld from every
    worker until that message is deleted or visible again, so the workers export at most as many of a run's
    batches at once as it has message groups.
    """

    def __init__(self, name: str, sqs: Any, queue_url: str, queue_arn: str, region: str,
                 handler: Handler, context_factory: Callable[[], Any], stop: threading.Event,
                 receive_lock: threading.Lock | None = None, wait_seconds: int = 1):
        super().__init__(name=name, daemon=True)
        self._wait_seconds = wait_seconds  # each receive's long poll (the stop is seen between two)
        # The workers of one FIFO queue receive one at a time: moto's receive is not atomic (two at once can both
        # take a message of one group, which SQS never hands out), so they share a lock around it. (A delete is
        # not held to it: it would wait behind other workers' long polls; at worst a receive then fails and is
        # tried again.)
        self._receive_lock = receive_lock or threading.Lock()
        self._sqs = sqs
        self._url = queue_url
        self._arn = queue_arn
        self._region = region
        self._handler = handler
        self._context = context_factory
        self._stopping = stop

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                with self._receive_lock:
                    messages = self._sqs.receive_message(
                        QueueUrl=self._url, WaitTimeSeconds=self._wait_seconds, MaxNumberOfMessages=1,
                        AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
            except (BotoCoreError, ClientError) as error:
                if not self._stopping.is_set():  # on shutdown moto goes away first; that is not news
                    log.warning("%s: cannot receive from the queue: %s", self.name, error)
                    self._stopping.wait(1)
                continue
            for message in messages:
                self._deliver(message)

    def _deliver(self, message: dict) -> None:
        try:
            self._handler(sqs_event(message, self._arn, self._region), self._context())
        except Exception:
            received = message.get("Attributes", {}).get("ApproximateReceiveCount", "?")
            # The message stays: SQS shows it again after the visibility timeout, and after the
            # redrive policy's last receive moves it to the dead-letter queue.
            log.exception("%s: handler failed on message %s (receive %s); left on the queue for a retry",
                          self.name, message["MessageId"], received)
            return
        try:
            self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        except (BotoCoreError, ClientError) as error:
            log.warning("%s: cannot delete message %s: %s", self.name, message["MessageId"], error)

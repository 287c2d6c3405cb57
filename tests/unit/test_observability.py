import io
import json
import logging
import threading

import pytest

from chalicelib.observability import correlated, logger


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(handler)
    yield lambda: {line["message"]: line for line in map(json.loads, stream.getvalue().splitlines())}
    logger._logger.removeHandler(handler)


def test_correlation_keys_belong_to_their_thread_and_block(log_lines):
    def exporter():
        with correlated(run_id="r1", batch_id="r1/00001"):
            logger.warning("exporting")
    thread = threading.Thread(target=exporter)
    with correlated(run_id="r2"):
        thread.start()
        thread.join()
        logger.warning("scheduling")
    logger.warning("after")
    lines = log_lines()
    assert (lines["exporting"]["run_id"], lines["exporting"]["batch_id"]) == ("r1", "r1/00001")
    assert lines["scheduling"]["run_id"] == "r2" and "batch_id" not in lines["scheduling"]
    assert "run_id" not in lines["after"]

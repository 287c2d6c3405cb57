"""Runs the embedded local stack: moto, the resources, the app behind an HTTP server, workers, scheduler."""
from __future__ import annotations

import importlib
import json
import logging
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from chalice.config import Config
from chalice.local import LocalChalice, LocalGateway

from chalicelib import credentials, settings
from chalicelib.api.security_headers import sign_in_origin

from . import environment
from .cognito import provision_sign_in
from .events import lambda_context
from .magento_process import MagentoProcess
from .motoserver import HOST, MotoServer
from .provision import Resources, provision
from .report import banner, write_stack_file
from .scheduler import Scheduler
from .server import LocalHttpServer, make_server
from .worker import QueueWorker

REPO = Path(__file__).resolve().parents[1]
LOCAL_DIR = REPO / ".local"
STACK_FILE = LOCAL_DIR / "stack.json"
STAGE = "local"
# How long a stop waits for the threads (an export in flight, a poll of the queue) before leaving them: everything
# they work on lives in moto's memory, which goes with the stack anyway.
STOP_GRACE_SECONDS = 2.0

log = logging.getLogger("local.stack")


def _configure_logging() -> None:
    # Pipes (make, tests) would otherwise hold the log lines back in a block buffer.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # a TextIOWrapper when run
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, datefmt="%H:%M:%S",
                        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    for noisy in ("botocore", "boto3", "urllib3", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _silence_threads() -> None:
    """No more log records nor thread tracebacks from this process; a record being written is finished first."""
    logging.disable(logging.CRITICAL)
    threading.excepthook = lambda args: None
    logging.shutdown()  # flushes each handler under its lock: a record another thread is writing ends first


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the stack exactly as Ctrl-C does


def _on_fire_signal(stack: Stack) -> Callable[[int, Any], None]:
    def fire(signum: int, frame: Any) -> None:
        stack.fire_scheduled_sync()
    return fire


class Stack:
    def __init__(self) -> None:
        self.options = environment.LocalOptions.load()
        self.stop_event = threading.Event()
        self.moto: MotoServer | None = None
        self.magento: MagentoProcess | None = None  # the simulated Magento, when it is the source
        self.integration: dict[str, str] = {}  # its OAuth integration
        self.ingestion: Any = None  # the simulated ingestion service, when it is the destination
        self.server: LocalHttpServer | None = None
        self.sign_in: Any = None  # the local user pool (cognito.SignIn)
        self.threads: list[threading.Thread] = []
        self.scheduler: Scheduler | None = None

    def start(self) -> None:
        LOCAL_DIR.mkdir(exist_ok=True)
        STACK_FILE.unlink(missing_ok=True)  # a file from an earlier run must not pass for this one
        # The simulated Magento builds its catalog in its own process meanwhile (waited for before the first sync).
        magento = self._start_magento() if environment.uses_simulated_magento(os.environ) else {}
        self.moto = MotoServer(LOCAL_DIR / "moto.log").start()
        env = environment.app_environment(os.environ, self.moto.url, REPO)
        env.update(magento)
        if environment.uses_simulated_ingestion(os.environ):
            env.update(self._start_ingestion())
        environment.apply(env)  # before the app (and PynamoDB's models) are imported
        self.sign_in = provision_sign_in(self.moto.url, environment.REGION, settings.load().force_sync_scope)
        environment.apply(environment.sign_in_environment(
            self.sign_in.user_pool_id, self.sign_in.client_id, self.sign_in.jwks_url,
            f"http://{HOST}:{self.options.port}"))
        app_settings = settings.load()
        resources = provision(app_settings, app_settings.hub_bucket)
        os.environ[settings.EXPORT_QUEUE_URL] = resources.export_queue_url
        os.environ[settings.TRIGGER_QUEUE_URL] = resources.trigger_queue_url
        app, reason = self._load_app()
        if self.magento is not None:
            self.magento.wait()
        try:
            self.server = make_server(HOST, self.options.port, LocalGateway(app, self._config("api_handler")),
                                      REPO / "dashboard", self._site_config(),
                                      sign_in_origin(self.sign_in.endpoint_url))
        except OSError as error:
            raise RuntimeError(f"cannot listen on {HOST}:{self.options.port} ({error.strerror}); "
                               "set PORT to a free port") from None
        self._start_threads(app, resources)
        info = self._info(resources)
        write_stack_file(STACK_FILE, info)
        print(banner(info, STACK_FILE, self.options.sync_interval, self.options.export_workers, reason))

    def _site_config(self) -> dict[str, Any]:
        """The dashboard's /config.json: where the API is and how to sign in (the user pool on moto)."""
        return {"apiBase": "/api", "cognito": {
            "region": self.sign_in.region, "userPoolId": self.sign_in.user_pool_id,
            "clientId": self.sign_in.client_id, "endpoint": self.sign_in.endpoint_url + "/"}}

    def _start_magento(self) -> dict[str, str]:
        from .magento.auth import Integration

        products = int(os.environ.get(settings.SAMPLE_PRODUCTS) or environment.DEFAULT_PRODUCTS)
        seed = int(os.environ.get(settings.SAMPLE_SEED) or 42)
        self.magento = MagentoProcess(LOCAL_DIR / "magento.log", products, seed, self.options.magento_port,
                                      self.options.magento_check_responses).start()
        # The simulator's integration is the seed's (the one it serves).
        self.integration = vars(Integration.for_seed(seed))
        return environment.magento_environment(self.magento.base_url, self.integration)

    def _start_ingestion(self) -> dict[str, str]:
        from .ingestion import IngestionService

        # A fresh key per start, as the events secret: the app gets it through the environment.
        self.ingestion = IngestionService(api_key=secrets.token_urlsafe(24))
        self.ingestion.start(HOST, self.options.ingestion_port)
        return environment.ingestion_environment(self.ingestion.ingest_url, self.ingestion.api_key)

    def _load_app(self) -> tuple[Any, str | None]:
        """The Chalice app, and why export is disabled (None when it is not)."""
        if str(REPO) not in sys.path:
            sys.path.insert(0, str(REPO))
        app = importlib.import_module("app").app
        container = importlib.import_module("chalicelib.container")
        container.reset()
        ctx = container.context()  # built once here, not raced for by the first threads to need it
        # As `chalice local` does: the current request becomes per thread, for the threaded server.
        app.__class__ = type("ThreadedLocalChalice", (LocalChalice, type(app)), {})
        return app, ctx.export_disabled_reason

    def _config(self, function_name: str) -> Config:
        on_disk = json.loads((REPO / ".chalice" / "config.json").read_text(encoding="utf-8"))
        return Config(chalice_stage=STAGE, function_name=function_name, config_from_disk=on_disk)

    def _context_factory(self, app: Any, handler: str) -> partial:
        config = self._config(handler)
        return partial(lambda_context, app.app_name, STAGE, handler, config.lambda_memory_size or 128,
                       config.lambda_timeout or 60, environment.REGION)

    def _start_threads(self, app: Any, resources: Resources) -> None:
        sqs = boto3.client("sqs")  # one client, shared: clients are thread-safe, their creation is not
        handlers = app.handler_map
        queues = [(f"export-{n + 1}", "export_batch", resources.export_queue_url, resources.export_queue_arn)
                  for n in range(self.options.export_workers)]
        queues.append(("dead-letter", "fail_dead_batch", resources.dlq_url, resources.dlq_arn))
        # Change events: the sync request turns up once its DelaySeconds (the debounce) have passed.
        queues.append(("trigger", "start_requested_sync", resources.trigger_queue_url, resources.trigger_queue_arn))
        assert self.server is not None and self.moto is not None  # started before the threads
        http = threading.Thread(target=self.server.serve_forever, name="http", daemon=True)
        receiving = {url: threading.Lock() for _, _, url, _ in queues}  # one per queue (the export workers share it)
        self.threads = [http] + [
            QueueWorker(name, sqs, url, arn, environment.REGION, handlers[handler],
                        self._context_factory(app, handler), self.stop_event, receiving[url])
            for name, handler, url, arn in queues]
        # The first sync runs in the scheduler's thread: the HTTP server answers while it reindexes.
        self.scheduler = Scheduler(f"{app.app_name}-{STAGE}-run_hourly_sync", environment.REGION,
                                   self.options.sync_interval, handlers["run_hourly_sync"],
                                   self._context_factory(app, "run_hourly_sync"), self.stop_event)
        self.threads.append(self.scheduler)
        for thread in self.threads:
            thread.start()

    def _info(self, resources: Resources) -> dict[str, Any]:
        base = f"http://{HOST}:{self.options.port}/"
        assert self.moto is not None  # started first
        return {
            "dashboard_url": base, "api_url": f"{base}api/", "aws_endpoint_url": self.moto.url,
            "region": environment.REGION,
            # Sign-in (local only, like the events secret): the pool on moto, the dashboard's app client and a
            # user per role, with the password made at this start.
            "cognito": {"endpoint_url": self.sign_in.endpoint_url, "region": self.sign_in.region,
                        "user_pool_id": self.sign_in.user_pool_id, "client_id": self.sign_in.client_id,
                        "jwks_url": self.sign_in.jwks_url, "users": self.sign_in.users},
            "export_queue_url": resources.export_queue_url, "dlq_url": resources.dlq_url,
            "trigger_queue_url": resources.trigger_queue_url, "events_url": f"{base}api/events/products",
            # The one place the events secret is written out: a developer signs events with it.
            "events_secret": os.environ[credentials.EVENTS_SECRET],
            "hub_bucket": resources.hub_bucket, "tables": resources.tables,
            "destination": os.environ[settings.DESTINATION],
            "destination_url": os.environ.get(settings.DESTINATION_URL, ""),
            "destination_simulated": self.ingestion is not None,
            "ingestion_admin_url": f"{self.ingestion.base_url}/__ingest" if self.ingestion is not None else "",
            # The simulated service's key (local only, like the events secret): the CLI's --local and the
            # tests read back with it. A real destination's key is never written here.
            "simulated_destination_api_key": self.ingestion.api_key if self.ingestion is not None else "",
            "sample_edits_file": os.environ[settings.SAMPLE_EDITS_FILE], "pid": os.getpid(),
            "source": os.environ[settings.SOURCE],
            "magento_url": os.environ.get(settings.MAGENTO_BASE_URL, ""),
            "magento_simulated": self.magento is not None,
            # The simulator's integration (not a real store's): the CLI's --local reads the store with it.
            "source_credentials": environment.magento_environment(
                self.magento.base_url, self.integration) if self.magento is not None else {},
            "env": environment.recorded_environment(),
        }

    def wait(self) -> None:
        assert self.moto is not None  # started first
        while True:
            time.sleep(0.5)
            if not self.moto.running:
                raise RuntimeError(f"the moto server stopped unexpectedly; see {LOCAL_DIR / 'moto.log'}")
            if self.magento is not None and not self.magento.running:
                raise RuntimeError(f"the simulated Magento stopped unexpectedly; see {LOCAL_DIR / 'magento.log'}")

    def fire_scheduled_sync(self) -> None:
        """The scheduled sync now (SIGUSR1), as if its rule fired; ignored until the stack has started."""
        if self.scheduler is not None:
            self.scheduler.fire_now()

    def stop(self, exit_code: int = 0) -> None:
        self.stop_event.set()
        if self.scheduler is not None:
            self.scheduler.wake()
        if self.server is not None:
            if self.threads and self.threads[0].is_alive():  # shutdown() waits forever on a server never served
                self.server.shutdown()
            self.server.server_close()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        STACK_FILE.unlink(missing_ok=True)
        stuck = [thread.name for thread in self.threads if thread.is_alive()]
        if stuck and self.moto is not None:
            # A sync mid-request cannot be interrupted; the threads left behind are silenced before moto and the
            # simulated Magento go from under them, so that their errors (a log line, a thread's traceback) never
            # follow "Stopped." — a busy machine may run them between the kill and the exit.
            print(f"Not waiting for {', '.join(stuck)}: a sync in progress cannot be interrupted, "
                  "its work is abandoned.", flush=True)
            _silence_threads()
            self.moto.stop(wait=False)
            if self.magento is not None:
                self.magento.stop(wait=False)
            print("Stopped.", flush=True)
            os._exit(exit_code)
        if self.moto is not None:
            self.moto.stop()
        if self.magento is not None:
            self.magento.stop()
        if self.ingestion is not None:
            self.ingestion.stop()


def main() -> int:
    _configure_logging()
    # Ctrl-C (SIGINT) and SIGTERM stop the stack, whoever started it: a shell without job control (a script,
    # `make run &`, a CI step) starts a background job with SIGINT ignored, and Python then installs no
    # KeyboardInterrupt at all — the stack would never stop on Ctrl-C or `kill -INT`.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    code = 0
    stack = None
    try:
        stack = Stack()
        signal.signal(signal.SIGUSR1, _on_fire_signal(stack))  # `kill -USR1 <pid>`: the scheduled sync now
        stack.start()
        stack.wait()
    except KeyboardInterrupt:
        pass
    except (settings.SettingsError, RuntimeError, OSError, BotoCoreError, ClientError) as error:
        log.error("the local stack cannot run: %s", error)
        code = 1
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave moto running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        if stack is not None:
            print("Stopping the local stack...", flush=True)
            stack.stop(code)
    print("Stopped.", flush=True)
    return code

"""Background jobs: work that must not run inside a request (indexing after a commit, sending the outbox,
expiring unpaid orders, certificate reminders, a reindex), and the periodic ones.

With `REDIS_URL` set, jobs go to RQ on Redis: `flask jobs worker` runs them (as many workers as needed, on
any machine), retried with growing waits (`RETRY_WAITS`); a job that fails every attempt stays in RQ's
failed-job registry, the dead letters (`flask jobs failed`, `flask jobs retry`); `flask jobs scheduler` (one
per deployment) enqueues the periodic jobs the app factory lists. Without Redis (`make run`, a one-machine
shop), jobs run in the process that asked for them, on one background thread, or at once when
`JOBS_EAGER` is set (the tests). Why RQ: the README's Deployment section.

A job is a plain module-level function of a service, given plain values (ids, not objects), that owns its
transactions (commits with `unit_of_work.run`) and may run twice (claims and guarded updates make that
harmless). Queuing never fails the caller: after a commit a request has already succeeded, so a job that
cannot be queued (Redis down) runs on the in-process thread instead, and a job's own failure is logged."""
from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context

from ..extensions import db

log = logging.getLogger(__name__)

QUEUE = "default"
RETRY_WAITS = [10, 60, 300, 1800, 7200]  # seconds before each retry; then the job is a dead letter
FAILED_KEPT_DAYS = 30  # how long a dead letter stays in the failed-job registry


@dataclass(frozen=True)
class Periodic:
    """A job the scheduler enqueues: every `seconds`, or at the `cron` times (UTC)."""
    func: Callable
    seconds: int | None = None
    cron: str | None = None

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


class Jobs:
    def __init__(self, app: Flask, periodic: list[Periodic]):
        self.app = app
        self.periodic = periodic
        self.redis_url = app.config.get("REDIS_URL") or ""
        self.eager = bool(app.config.get("JOBS_EAGER"))
        self._queue = None
        self._local: queue.Queue | None = None
        self._local_lock = threading.Lock()

    # --- RQ ---
    @property
    def uses_redis(self) -> bool:
        return bool(self.redis_url) and not self.eager

    def rq_queue(self):
        if self._queue is None:
            from redis import Redis
            from rq import Queue
            # A Redis that hangs holds a committed request a second at most: then the job runs here.
            self._queue = Queue(QUEUE, connection=Redis.from_url(self.redis_url, socket_timeout=1,
                                                                 socket_connect_timeout=1))
        return self._queue

    def _to_rq(self, func: Callable, args: tuple, kwargs: dict) -> None:
        from rq import Retry
        self.rq_queue().enqueue(func, *args, **kwargs, retry=Retry(max=len(RETRY_WAITS), interval=RETRY_WAITS),
                                failure_ttl=FAILED_KEPT_DAYS * 24 * 3600, result_ttl=3600)

    # --- in-process ---
    def run_here(self, func: Callable, args: tuple, kwargs: dict) -> None:
        """Run a job now in an app context of its own; a failure is logged, never raised."""
        with self.app.app_context():
            try:
                func(*args, **kwargs)
            except Exception:
                log.exception("job %s%r failed", func.__qualname__, args)
                db.session.rollback()
            finally:
                db.session.remove()

    def _to_thread(self, func: Callable, args: tuple, kwargs: dict) -> None:
        with self._local_lock:
            if self._local is None:
                self._local = queue.Queue()
                threading.Thread(target=self._drain, name="jobs", daemon=True).start()
                atexit.register(self._finish)
        self._local.put((func, args, kwargs))

    def _drain(self) -> None:
        while True:
            func, args, kwargs = self._local.get()
            try:
                self.run_here(func, args, kwargs)
            finally:
                self._local.task_done()

    def _finish(self, most_seconds: float = 300) -> None:
        """At exit, let the thread finish what was queued: a command (an import, a script) that committed
        must not leave its index update or its emails behind."""
        deadline = time.monotonic() + most_seconds
        while self._local.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)

    def run_due(self, due: dict[str, float], now: float) -> dict[str, float]:
        """The scheduler without Redis: run here each periodic job whose time `due` ({name: when}; a job not in
        it is due now) has come; answers when each is due next."""
        from croniter import croniter
        after = dict(due)
        for job in self.periodic:
            if now >= after.get(job.name, now):
                self.run_here(job.func, (), {})
                after[job.name] = now + job.seconds if job.seconds else croniter(job.cron, now).get_next(float)
        return after

    def enqueue(self, func: Callable, *args, **kwargs) -> None:
        if self.eager:
            self.run_here(func, args, kwargs)
            return
        if self.uses_redis:
            try:
                self._to_rq(func, args, kwargs)
                return
            except Exception:  # Redis unreachable: the work is still done, here
                log.exception("could not queue job %s on Redis; running it in this process", func.__qualname__)
        self._to_thread(func, args, kwargs)


def init_app(app: Flask, periodic: list[Periodic] = ()) -> None:
    app.extensions["jobs"] = Jobs(app, list(periodic))
    from .cli import jobs_cli
    app.cli.add_command(jobs_cli)


def enqueue(func: Callable, *args, **kwargs) -> None:
    """Run `func(*args, **kwargs)` in the background (see the module's note). Never raises."""
    jobs: Jobs | None = current_app.extensions.get("jobs") if has_app_context() else None
    if jobs is None:  # an app built without jobs (a script): run it now
        func(*args, **kwargs)
        return
    jobs.enqueue(func, *args, **kwargs)

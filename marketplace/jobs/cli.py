"""`flask jobs worker|scheduler|failed|retry`: the processes beside the web servers (README, Deployment)."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db


def _jobs():
    return current_app.extensions["jobs"]


def _waiting_connection(jobs):
    """A connection for a process that waits on Redis (a worker's blocking pop, the scheduler's sleep): no
    socket timeout, unlike the web processes' (a second)."""
    from redis import Redis
    return Redis.from_url(jobs.redis_url)


def _needs_redis():
    jobs = _jobs()
    if not jobs.redis_url:
        raise click.ClickException("REDIS_URL is not set: jobs run inside the shop's own processes")
    return jobs


@click.group("jobs", help="Background jobs (RQ on Redis when REDIS_URL is set).")
def jobs_cli():
    pass


@jobs_cli.command("worker", help="Run queued jobs until stopped (SIGTERM finishes the job at hand first). "
                                 "Start as many as the work needs, on any machine.")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool):
    from rq import Queue, SimpleWorker

    from . import QUEUE

    jobs = _needs_redis()

    class AppWorker(SimpleWorker):
        """Runs each job in this process, in the app's context (no fork: the app is loaded once, and a job
        starts in a millisecond); each job gets a fresh database session."""

        def perform_job(self, *args, **kwargs):
            try:
                return super().perform_job(*args, **kwargs)
            finally:
                db.session.remove()

    connection = _waiting_connection(jobs)
    AppWorker([Queue(QUEUE, connection=connection)], connection=connection).work(burst=burst, with_scheduler=True)


@jobs_cli.command("scheduler", help="Enqueue the periodic jobs on time (one scheduler per shop). Without "
                                    "REDIS_URL, runs them in this process instead.")
@with_appcontext
def scheduler_command():
    jobs = _jobs()
    if jobs.uses_redis:
        from rq.cron import CronScheduler
        cron = CronScheduler(connection=_waiting_connection(jobs), name="ocop")
        for job in jobs.periodic:
            cron.register(job.func, queue_name=jobs.rq_queue().name, interval=job.seconds, cron=job.cron)
            click.echo(f"scheduled {job.name} ({job.cron or f'every {job.seconds} s'})")
        cron.start()
        return
    due: dict[str, float] = {}
    while True:  # one process, no Redis: run each job when it is due
        due = jobs.run_due(due, time.time())
        time.sleep(1)


@jobs_cli.command("failed", help="The jobs that failed every attempt (the dead letters), newest first.")
@with_appcontext
def failed_command():
    from rq.job import Job
    registry = _needs_redis().rq_queue().failed_job_registry
    for job in Job.fetch_many(registry.get_job_ids(), connection=registry.connection):
        if job is not None:
            result = job.latest_result()
            last = ((result.exc_string if result else "") or "").strip().splitlines()[-1:] or [""]
            click.echo(f"{job.id}\t{job.ended_at:%Y-%m-%d %H:%M}\t{job.func_name}{job.args!r}\t{last[0]}")


@jobs_cli.command("retry", help="Queue the failed jobs again.")
@with_appcontext
def retry_command():
    registry = _needs_redis().rq_queue().failed_job_registry
    ids = registry.get_job_ids()
    for job_id in ids:
        registry.requeue(job_id)
    click.echo(f"{len(ids)} jobs queued again")

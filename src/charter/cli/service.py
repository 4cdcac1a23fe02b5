"""The service's commands: `serve`, `worker`, `db upgrade`, `audit verify`, `export`, `token
create` and `demo`."""

from __future__ import annotations

import json
import logging
import secrets
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import click

from charter.errors import CharterError

ENV_FILE = click.option("--env-file", type=click.Path(dir_okay=False),
                        help="Read KEY=VALUE settings from this file first.")


def _governance(env_file: str | None, *, migrate: bool = True, key: bool = False) -> Any:
    """The service over the configured database; KEY: the command casts ballots, so it needs
    CHARTER_SECRET_KEY (checked before anything else is touched)."""
    from charter.store.db import connect, ensure_current
    from charter.store.projects import Governance
    from charter.store.settings import load_settings

    settings = load_settings(env_file)
    secret = settings.require_secret() if key else settings.secret_key
    db = connect(settings.database_url)
    ensure_current(db, migrate_sqlite=migrate)
    return Governance(db, secret), settings


def _worker(gov: Any, settings: Any, *, demo: bool = False) -> Any:
    import os
    from datetime import timedelta

    from charter.worker.run import log_notice

    lease = os.environ.get("CHARTER_WORKER_LEASE_SECONDS")
    if lease is not None and not lease.isdigit():
        raise CharterError("CHARTER_WORKER_LEASE_SECONDS must be a whole number of seconds")
    work = _github_worker(gov, settings, {"notice": log_notice}, demo=demo)
    if lease:
        work.lease = timedelta(seconds=int(lease))
    return work


def _github_worker(gov: Any, settings: Any, deliverers: dict[str, Any], *,
                   demo: bool = False) -> Any:
    """The worker with the GitHub App: it processes webhooks always, and posts comments when
    the App's id and key are set (until then comment effects wait, shown, never dropped; the
    demo writes them to its log)."""
    from functools import partial

    from charter.forge import stale
    from charter.forge.client import GitHub
    from charter.forge.handle import Forge
    from charter.worker.github import CommentDeliverer, GitHubWorker, log_comment
    from charter.worker.labels import LabelDeliverer, log_label
    from charter.worker.mail import MailDeliverer, log_mail

    forge = Forge(gov, preset=settings.github_preset,
                  public_url=settings.public_url or "http://127.0.0.1:8000")
    deliverers = {**deliverers, "mail": MailDeliverer(settings.smtp_url) if settings.smtp_url
                  else log_mail}
    if settings.github_app_id and settings.github_private_key_file:
        try:
            key = Path(settings.github_private_key_file).read_bytes()
        except OSError as err:
            raise CharterError(f"CHARTER_GITHUB_PRIVATE_KEY_FILE: cannot read it: "
                               f"{err.strerror}") from None
        github = GitHub(settings.github_api_url, settings.github_app_id, key)
        deliverers = {**deliverers, "comment": CommentDeliverer(github),
                      "label": LabelDeliverer(github)}
    elif demo:
        github = None
        deliverers = {**deliverers, "comment": log_comment, "label": log_label}
    else:
        github = None
    forge.gate, check_runs = _gate(gov, settings, github, demo=demo)
    if check_runs is not None:
        deliverers = {**deliverers, "check_run": check_runs}
    return GitHubWorker(gov, deliverers, forge=forge,
                        timers={stale.STALE: partial(stale.fire, gov)})


def _gate(gov: Any, settings: Any, github: Any, *, demo: bool) -> tuple[Any, Any]:
    """The gate on pull requests over the mirrors (`CHARTER_MIRROR_DIR`, default a
    `charter-mirrors` folder beside a SQLite database) fetched from `CHARTER_GIT_URL`
    (default https://github.com); and the deliverer of its check runs."""
    import os

    from charter.forge.gating import PullGate
    from charter.git.mirror import Mirror, Remote
    from charter.worker.gate import CheckRunDeliverer, log_check_run

    if demo and not os.environ.get("CHARTER_GIT_URL"):
        return None, None  # the demo's repository is not on GitHub: nothing to fetch
    root = os.environ.get("CHARTER_MIRROR_DIR")
    if not root:
        url = str(settings.database_url)
        folder = Path(url.removeprefix("sqlite:///")).parent if url.startswith(
            "sqlite:///") and url != "sqlite:///:memory:" else Path.cwd()
        root = str(folder / "charter-mirrors")
    try:
        remote = Remote(os.environ.get("CHARTER_GIT_URL") or "https://github.com")
    except CharterError as err:
        raise CharterError(f"CHARTER_GIT_URL: {err.message}") from None
    gate = PullGate(gov, Mirror(Path(root).absolute(), remote),
                    token=github.installation_token if github is not None else None,
                    pull=github.pull if github is not None else None)
    if github is not None:
        return gate, CheckRunDeliverer(github)
    return gate, (log_check_run if demo else None)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="HTTP worker processes (several need PostgreSQL to scale).")
@click.option("--no-worker", is_flag=True, help="Serve HTTP only; run `charter worker` apart.")
@ENV_FILE
def serve(host: str, port: int, workers: int, no_worker: bool, env_file: str | None) -> None:
    """Run the service: REST API (and webhooks, dashboard) with an in-process worker."""
    gov, settings = _governance(env_file, key=True)
    if workers == 1:
        _serve(gov, settings, host, port, worker=not no_worker)
        return
    _serve_processes(gov, settings, env_file, host, port, workers, worker=not no_worker)


def _serve_processes(gov: Any, settings: Any, env_file: str | None, host: str, port: int,
                     workers: int, *, worker: bool) -> None:
    """WORKERS uvicorn processes, each building the app from the environment; the deadline
    and effect worker (unless not wanted) runs once, in this supervising process."""
    import os

    import uvicorn

    from charter.store.settings import read_env_file
    from charter.web.factory import TARGET

    if env_file:
        # The processes read their settings from the environment: the file's values go there,
        # under whatever the environment already says (it wins, as for one process).
        for name, value in read_env_file(env_file).items():
            os.environ.setdefault(name, value)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    gov.db.dispose()  # the processes make their own connections; none is shared across a fork
    stop = threading.Event()
    thread = None
    if worker:
        thread = threading.Thread(target=_worker(gov, settings).run, args=(stop,),
                                  name="charter-worker", daemon=True)
        thread.start()
    try:
        uvicorn.run(TARGET, factory=True, host=host, port=port, workers=workers,
                    log_level="info")
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=5)


def _serve(gov: Any, settings: Any, host: str, port: int, *, worker: bool,
           banner: str | None = None, demo: bool = False) -> None:
    import uvicorn

    from charter.web.api import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    thread = None
    if worker:
        thread = threading.Thread(target=_worker(gov, settings, demo=demo).run, args=(stop,),
                                  name="charter-worker", daemon=True)
        thread.start()
    config = uvicorn.Config(create_app(gov, settings.webhook_secret, settings), host=host,
                            port=port,
                            log_level="info")
    server = uvicorn.Server(config)
    if banner:
        original = server.startup

        async def startup(sockets: Any = None) -> None:
            await original(sockets)
            click.echo(banner, err=True)

        server.startup = startup  # type: ignore[method-assign]
    try:
        server.run()
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=5)


@click.command()
@click.option("--once", is_flag=True, help="Do what is due now, then exit.")
@ENV_FILE
def worker(once: bool, env_file: str | None) -> None:
    """Fire due deadlines and deliver queued effects (run as many as you like)."""
    gov, settings = _governance(env_file, migrate=False)
    work = _worker(gov, settings)
    if once:
        webhooks = fired = delivered = 0
        while True:  # until nothing is due: deadlines can queue effects, effects free others
            steps = (work.process_deliveries(1000), work.fire_due(1000), work.deliver_due(1000))
            webhooks, fired, delivered = (webhooks + steps[0], fired + steps[1],
                                          delivered + steps[2])
            if not any(steps):
                break
        click.echo(json.dumps({"webhooks": webhooks, "fired": fired, "delivered": delivered}))
        return
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    try:
        work.run(stop)
    except KeyboardInterrupt:
        stop.set()


@click.group()
def db() -> None:
    """The service's database."""


@db.command("upgrade")
@ENV_FILE
def db_upgrade(env_file: str | None) -> None:
    """Apply the database migrations (Alembic)."""
    from charter.store.db import connect, upgrade
    from charter.store.settings import load_settings

    before, after = upgrade(connect(load_settings(env_file).database_url))
    click.echo(f"database at revision {after}" + ("" if before == after
                                                 else f" (was {before or 'empty'})"))


@click.group()
def audit() -> None:
    """Check the event log."""


@audit.command("verify")
@click.option("--project", "project", help="One project (owner/repo); default: all.")
@ENV_FILE
def audit_verify(project: str | None, env_file: str | None) -> None:
    """Recompute each project's hash chain and replay its log; exit 1 at the first bad event."""
    gov, _ = _governance(env_file, migrate=False)
    names = [project] if project else gov.project_names()
    bad = False
    for name in names:
        found = gov.verify(name)
        if found is None:
            click.echo(f"{name}: ok ({len(gov.events_after(name, 0, 10**9))} events)")
        else:
            event, why = found
            bad = True
            click.echo(f"{name}: event {event.seq} ({event.command.get('do')} at "
                       f"{event.to_json()['at']}): {why}")
    if bad:
        sys.exit(1)


@click.command()
@click.argument("project")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@ENV_FILE
def export(project: str, output: str | None, env_file: str | None) -> None:
    """PROJECT's history as a scenario file that `charter simulate` replays."""
    gov, _ = _governance(env_file, migrate=False)
    text = json.dumps(gov.export(project), indent=2, ensure_ascii=False) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@click.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("login")
@click.option("--admin", is_flag=True, help="The token may create projects.")
@ENV_FILE
def token_create(login: str, admin: bool, env_file: str | None) -> None:
    """Print a new API token for LOGIN, once; only its SHA-256 is stored."""
    from charter.store.db import writing
    from charter.store.projects import utcnow
    from charter.store.tokens import create_token

    gov, _ = _governance(env_file, migrate=False)
    if not login.strip() or len(login) > 100:
        raise CharterError("LOGIN must be 1 to 100 characters")
    with writing(gov.db) as conn:
        click.echo(create_token(conn, login.strip(), admin=admin, now=utcnow()))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--db", "db_url", help="Database URL (default: a new SQLite file in a temporary "
                                     "folder).")
def demo(host: str, port: int, db_url: str | None) -> None:
    """A fresh database with a realistic example project, served on loopback."""
    import dataclasses

    from charter.cli.demo_project import create_demo_accounts, seed
    from charter.store.db import connect, upgrade
    from charter.store.projects import Governance
    from charter.store.settings import load_settings

    folder = Path(tempfile.mkdtemp(prefix="charter-demo-"))
    url = db_url or f"sqlite:///{folder / 'charter.db'}"
    database = connect(url)
    upgrade(database)
    gov = Governance(database, secrets.token_bytes(32))
    seeded = seed(gov)
    accounts = create_demo_accounts(gov)
    base = f"http://{host}:{port}"
    hook_secret = secrets.token_hex(16)
    # The demo takes signed webhooks too, so one can be replayed with curl (docs/github.md).
    settings = dataclasses.replace(load_settings(), database_url=url, public_url=base,
                                   webhook_secret=hook_secret.encode())
    project_url = f"{base}/api/v1/projects/{seeded.project}"
    lines = [
        "",
        f"Charter demo: {seeded.project}, {seeded.events} events, served at {base}",
        f"  open {base}/projects/{seeded.project} and sign in as:",
        *[f"    {login:<10} {role:<12} password {pw}" for login, role, pw in accounts],
        f"  database: {url}",
        "  tokens (Authorization: Bearer ...):",
        *[f"    {login:<10} {role:<12} {tok}" for login, role, tok in seeded.tokens],
        "  try:",
        f"    curl {project_url}/decisions?status=open",
        f"    curl -X POST {project_url}/commands -H 'Authorization: Bearer "
        f"{seeded.tokens[1][2]}' -H 'Content-Type: application/json' -d '{{\"do\": \"propose\", "
        f"\"id\": \"P-NEW\", \"process\": \"lazy-consensus\", \"title\": \"Try Charter\"}}'",
        f"  API reference: {base}/api/docs",
        f"  webhooks: POST {base}/webhooks/github, secret {hook_secret} (see docs/github.md)",
        "",
    ]
    _serve(gov, settings, host, port, worker=True, banner="\n".join(lines), demo=True)


@click.group()
def github() -> None:
    """The GitHub App."""


@github.command("manifest")
@click.option("--url", "public_url", help="Where Charter is served (default: "
                                          "CHARTER_PUBLIC_URL).")
@click.option("--name", default="Charter", show_default=True, help="The App's name on GitHub "
                                                                    "(unique there).")
@ENV_FILE
def github_manifest(public_url: str | None, name: str, env_file: str | None) -> None:
    """Print the App manifest (permissions, events, webhook URL) for GitHub's "create a GitHub
    App from a manifest" flow."""
    from charter.forge.manifest import manifest
    from charter.store.settings import load_settings

    url = public_url or load_settings(env_file).public_url
    if not url or not url.startswith(("https://", "http://")):
        raise CharterError("give the address GitHub will reach Charter at: --url https://... "
                           "or CHARTER_PUBLIC_URL")
    click.echo(json.dumps(manifest(url, name), indent=2))

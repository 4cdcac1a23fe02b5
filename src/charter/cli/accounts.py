"""`charter account create LOGIN`: a local account for the dashboard (argon2-hashed password)."""

from __future__ import annotations

import sys

import click


@click.group()
def account() -> None:
    """Local accounts for signing in to the dashboard."""


@account.command("create")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input "
                                                      "(first line) instead of prompting.")
@click.option("--env-file", type=click.Path(dir_okay=False),
              help="Read KEY=VALUE settings from this file first.")
def account_create(login: str, password_stdin: bool, env_file: str | None) -> None:
    """Create LOGIN's account, or set a new password for it (LOGIN is their GitHub login, so
    the project's roster knows them)."""
    from charter.cli.service import _governance
    from charter.store.accounts import check_login, check_password, set_password
    from charter.store.db import writing
    from charter.store.projects import utcnow

    check_login(login)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    check_password(password)
    gov, _ = _governance(env_file)
    with writing(gov.db) as conn:
        new = set_password(conn, login, password, utcnow())
    click.echo(f"account {login} {'created' if new else 'updated'}")

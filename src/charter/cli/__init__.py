"""The `charter` command line: a click group whose subcommands load lazily for fast start-up."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from charter.errors import CharterError

# name -> "module:attribute"; each subcommand lives in its own module under charter.cli.
COMMANDS: dict[str, str] = {
    "simulate": "charter.cli.simulate:simulate",
    "explain": "charter.cli.simulate:explain",
    "policy": "charter.cli.policy:policy",
    "render": "charter.cli.render:render",
    "check": "charter.cli.check:check",
    "commit-msg": "charter.cli.commit_msg:commit_msg",
    "owners": "charter.cli.owners:owners",
    "gate": "charter.cli.gate:gate",
    "apidiff": "charter.cli.apidiff:apidiff",
    "serve": "charter.cli.service:serve",
    "worker": "charter.cli.service:worker",
    "db": "charter.cli.service:db",
    "audit": "charter.cli.service:audit",
    "export": "charter.cli.service:export",
    "token": "charter.cli.service:token",
    "account": "charter.cli.accounts:account",
    "demo": "charter.cli.service:demo",
    "github": "charter.cli.service:github",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, target in COMMANDS.items() if _available(target))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(target):
            return None
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command


def _available(target: str) -> bool:
    module = target.split(":")[0]
    return importlib.util.find_spec(module) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="charter")
def cli() -> None:
    """Charter: run your project's governance exactly as written."""


def main(argv: list[str] | None = None) -> Any:
    """Entry point: bad input becomes one clear line and exit code 2, never a traceback."""
    try:
        return cli.main(args=argv, standalone_mode=False)
    except CharterError as err:
        for line in err.lines():
            click.echo(f"charter: {line}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as err:  # an internal bug, not bad input: say so briefly
        if os.environ.get("CHARTER_DEBUG"):
            raise
        click.echo(f"charter: internal error: {type(err).__name__}: {err} "
                   "(set CHARTER_DEBUG=1 for a traceback, and please report it)", err=True)
        sys.exit(3)

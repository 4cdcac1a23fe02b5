"""`charter check [CHECK ...]`: a repository against the policy's contribution rules."""

from __future__ import annotations

from pathlib import Path

import click

from charter.errors import CharterError

CHECK_NAMES = ("dco", "commits", "owners", "proposals", "flags", "api")


@click.command()
@click.argument("checks", nargs=-1)
@click.option("--repo", "repo", default=".", show_default=True,
              help="The git repository (a bare one too).")
@click.option("--range", "rev_range", default=None,
              help="git's A..B (default: the whole history from HEAD; files at HEAD).")
@click.option("--policy", "policy_ref", default=None,
              help="Policy file or preset (default: charter.yaml at the repository's top; in a "
                   "bare repository, as committed at the end of the range).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]),
              default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_context
def check(ctx: click.Context, checks: tuple[str, ...], repo: str, rev_range: str | None,
          policy_ref: str | None, fmt: str, as_json: bool) -> None:
    """Check commits and files: dco, commits, owners, proposals, flags, api (default: all the
    policy enables). Exit 1 when an error is found."""
    from charter.checks import formats
    from charter.checks.config import DEFAULT_CONFIG, config_from_policy
    from charter.checks.suite import range_end, run_checks
    from charter.git.command import ensure_repo, is_bare, resolve_rev

    for name in checks:
        if name not in CHECK_NAMES:
            raise CharterError(f"unknown check {name!r}; the checks are {', '.join(CHECK_NAMES)}")
    top = ensure_repo(repo)
    config = DEFAULT_CONFIG
    if policy_ref is not None:
        from charter.policy.loader import load_policy

        config = config_from_policy(load_policy(policy_ref, base_dir=Path.cwd()).policy)
    elif is_bare(top):
        # No work tree: the policy is the one committed where the checked files are read.
        from charter.gate.facts import policy_at

        committed = policy_at(top, resolve_rev(top, range_end(rev_range)))
        if committed is not None:
            config = config_from_policy(committed)
    elif (top / "charter.yaml").exists():
        from charter.policy.loader import load_policy

        config = config_from_policy(load_policy(top / "charter.yaml", root=top).policy)
    fmt = "json" if as_json else fmt
    report = run_checks(top, list(checks), config, rev_range,
                        progress=None if fmt == "text" else False)
    if fmt == "json":
        text = formats.as_json(report.findings, report.commits, report.files)
    elif fmt == "sarif":
        text = formats.as_sarif(report.findings)
    elif fmt == "github":
        text = formats.as_github(report.findings)
    else:
        text = formats.as_text(report.findings, report.commits, report.files, report.ran)
    if text:
        # JSON escapes every control character, so click need not scan tens of megabytes
        # for colour codes to strip; text keeps the stripping, as it quotes commits and paths.
        click.echo(text, color=True if fmt in ("json", "sarif") else None)
    ctx.exit(1 if report.failed else 0)

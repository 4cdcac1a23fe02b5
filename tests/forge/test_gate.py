"""The gate on GitHub, end to end on the real service: real pull request, review, check and push
payloads signed as GitHub signs them, a worker fetching a local bare remote into its mirror, and
the `charter` check run seen by the fake GitHub."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from charter.forge.gating import FETCH_TRIES, PullGate
from charter.git.mirror import Mirror, Remote
from charter.worker.gate import CheckRunDeliverer
from tests.conftest import git
from tests.forge.conftest import REPO, Hub, comment_payload, fixture

PEOPLE = {"alice": "maintainer", "bob": "maintainer", "carol": "maintainer"}
AUTHOR = "codertocat"  # the author of the fixtures' pull request
NUMBER = 2  # the fixtures' pull request
POLICY = """\
charter: 1
project: {name: Hello World}
roles: [maintainer]
processes:
  governance-change: {type: lazy-consensus, window: 7 days, proposers: anyone, objectors: anyone}
pull_requests:
  approval: {owners: OWNERS, count: 1, not_author: true}
  hold: {labels: [do-not-merge/hold]}
"""
OWNERS = "approvers:\n  - alice\n  - bob\n"


@dataclass
class Repo:
    """The project's repository: a work tree whose commits are pushed to the bare remote."""

    work: Path
    remote: Path

    def commit(self, files: dict[str, str | None], message: str = "Change") -> str:
        for name, content in files.items():
            path = self.work / name
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)
        return git(self.work, "rev-parse", "HEAD").strip()

    def push(self, ref: str) -> None:
        git(self.work, "push", "-q", "-f", str(self.remote), f"HEAD:{ref}")

    def branch(self, name: str, start: str = "main") -> None:
        git(self.work, "checkout", "-q", "-B", name, start)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    remote = tmp_path / "remotes" / "Codertocat" / "Hello-World.git"
    remote.parent.mkdir(parents=True)
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    found = Repo(work, remote)
    found.commit({"OWNERS": OWNERS, ".github/charter.yaml": POLICY, "README.md": "hello\n",
                  "GOVERNANCE.md": "# Governance\n"}, "Start")
    found.push("refs/heads/main")
    return found


@pytest.fixture
def gated(hub: Hub, repo: Repo, tmp_path: Path) -> Iterator[Hub]:
    """HUB with the gate: mirrors under tmp_path fetched from the local remotes root only."""
    github = hub.worker.deliverers["comment"].github  # type: ignore[attr-defined]
    assert hub.worker.forge is not None
    hub.worker.forge.gate = PullGate(hub.gov, Mirror(tmp_path / "mirrors",
                                                     Remote((tmp_path / "remotes").as_uri())),
                                     token=github.installation_token, pull=github.pull,
                                     clock=hub.clock)
    hub.worker.deliverers = {**hub.worker.deliverers, "check_run": CheckRunDeliverer(github)}
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    assert hub.send("installation", fixture("installation.created")).status_code == 202
    hub.work()
    yield hub


def pull_payload(action: str, head: str, labels: tuple[str, ...] = (),
                 title: str = "Update the README") -> dict[str, Any]:
    """The real pull_request payload (opened or synchronize), with this head."""
    name = "pull_request.synchronize" if action == "synchronize" else "pull_request.opened"
    data = copy.deepcopy(fixture(name))
    data["action"] = action
    data["pull_request"]["head"]["sha"] = head
    data["pull_request"]["base"]["ref"] = "main"
    data["pull_request"]["title"] = title
    data["pull_request"]["labels"] = [{"name": label} for label in labels]
    return data


def open_pull(hub: Hub, repo: Repo, files: dict[str, str | None],
              title: str = "Update the README") -> str:
    repo.branch("change")
    head = repo.commit(files, title)
    repo.push(f"refs/pull/{NUMBER}/head")
    assert hub.send("pull_request", pull_payload("opened", head, title=title)).status_code == 202
    hub.work()
    return head


def push_head(hub: Hub, repo: Repo, head: str) -> None:
    repo.push(f"refs/pull/{NUMBER}/head")
    assert hub.send("pull_request", pull_payload("synchronize", head)).status_code == 202
    hub.work()


def pr_comment(hub: Hub, body: str, author: str) -> str:
    """Comment BODY on the pull request; returns the bot's answer."""
    data = comment_payload(body, author, NUMBER)
    data["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{REPO}/pulls/2"}
    before = len(hub.github.comments())
    assert hub.send("issue_comment", data).status_code == 202
    hub.work()
    said = hub.github.comments()
    assert len(said) == before + 1
    return str(said[-1].body["body"])


def verdict(hub: Hub, sha: str) -> dict[str, Any]:
    """The one `charter` check run on SHA, as GitHub holds it."""
    runs = hub.github.runs(sha)
    assert len(runs) == 1, runs
    return runs[0]


def summary(run: dict[str, Any]) -> str:
    return str(run["output"]["summary"])


def test_an_owner_s_approve_passes_and_a_new_tree_drops_it(gated: Hub, repo: Repo) -> None:
    head = open_pull(gated, repo, {"README.md": "hello, world\n"})
    run = verdict(gated, head)
    assert run["conclusion"] == "failure" and run["status"] == "completed"
    assert "needs /approve from one of: alice, bob" in summary(run)

    # The author's own /approve is refused and changes nothing.
    said = pr_comment(gated, "/approve", AUTHOR)
    assert "refused" in said and "author" in said
    assert verdict(gated, head)["conclusion"] == "failure"

    # An owner approves: the same check run turns green (updated, not duplicated).
    said = pr_comment(gated, "/approve", "alice")
    assert "accepted" in said and head[:12] in said
    run = verdict(gated, head)
    assert run["conclusion"] == "success" and run["updates"] >= 1
    assert "approved by their owners: alice" in summary(run)

    # A rebase that keeps the tree (only the message changes) keeps the approval.
    git(repo.work, "commit", "-q", "--amend", "-m", "Update the README, reworded")
    rebased = git(repo.work, "rev-parse", "HEAD").strip()
    assert rebased != head
    push_head(gated, repo, rebased)
    assert verdict(gated, rebased)["conclusion"] == "success"

    # A new commit with a different tree drops it, and says why.
    changed = repo.commit({"README.md": "hello, brave new world\n"})
    push_head(gated, repo, changed)
    run = verdict(gated, changed)
    assert run["conclusion"] == "failure"
    assert "alice" in summary(run) and "dropped" in summary(run)
    # Only the one check run per head, whatever was delivered.
    assert len(gated.github.runs()) == 3


def test_a_pull_request_cannot_make_its_author_an_owner(gated: Hub, repo: Repo) -> None:
    head = open_pull(gated, repo, {"OWNERS": OWNERS + f"  - {AUTHOR}\n",
                                   "README.md": "mine now\n"})
    said = pr_comment(gated, "/lgtm", AUTHOR)
    assert "refused" in said
    run = verdict(gated, head)
    # OWNERS is read from the base: the author is not an approver of anything.
    assert run["conclusion"] == "failure"
    assert "needs /approve from one of: alice, bob" in summary(run)
    assert f"@{AUTHOR}" not in summary(run).split("### Files that need approval")[1]


@pytest.mark.parametrize(("cancel", "conclusion"), [
    pytest.param("/approve cancel", "failure", id="approve-cancel"),
    pytest.param("/hold", "failure", id="hold"),
    pytest.param("/hold\n/unhold", "success", id="hold-then-unhold"),
])
def test_cancel_and_hold(gated: Hub, repo: Repo, cancel: str, conclusion: str) -> None:
    head = open_pull(gated, repo, {"README.md": "held?\n"})
    pr_comment(gated, "/approve", "bob")
    assert verdict(gated, head)["conclusion"] == "success"
    pr_comment(gated, cancel, "carol")  # a cancel by someone else withdraws nothing of bob's
    expected = "success" if cancel == "/approve cancel" else conclusion
    assert verdict(gated, head)["conclusion"] == expected
    if cancel == "/approve cancel":
        pr_comment(gated, cancel, "bob")
        assert verdict(gated, head)["conclusion"] == conclusion
    if cancel == "/hold":
        assert "on hold" in summary(verdict(gated, head))


def test_a_review_approves_at_its_commit(gated: Hub, repo: Repo) -> None:
    head = open_pull(gated, repo, {"README.md": "reviewed\n"})
    review = copy.deepcopy(fixture("pull_request_review.submitted"))
    review["review"].update(state="approved", commit_id=head)
    review["review"]["user"]["login"] = "bob"
    review["pull_request"]["head"]["sha"] = head
    review["pull_request"]["base"]["ref"] = "main"
    assert gated.send("pull_request_review", review).status_code == 202
    gated.work()
    assert verdict(gated, head)["conclusion"] == "success"
    dismissed = copy.deepcopy(fixture("pull_request_review.dismissed"))
    dismissed["review"]["user"]["login"] = "bob"
    dismissed["pull_request"]["head"]["sha"] = head
    dismissed["pull_request"]["base"]["ref"] = "main"
    assert gated.send("pull_request_review", dismissed).status_code == 202
    gated.work()
    assert verdict(gated, head)["conclusion"] == "failure"


def test_required_checks_come_from_check_runs_and_statuses(gated: Hub, repo: Repo) -> None:
    repo.branch("main")
    repo.commit({".github/charter.yaml": POLICY + "  checks: {required: [build, lint]}\n"})
    repo.push("refs/heads/main")
    head = open_pull(gated, repo, {"README.md": "checked\n"})
    pr_comment(gated, "/approve", "alice")
    assert "build: not reported yet" in summary(verdict(gated, head))
    check = copy.deepcopy(fixture("check_run.completed"))
    check["check_run"].update(name="build", head_sha=head, conclusion="success")
    check["installation"] = {"id": 1}
    status = copy.deepcopy(fixture("status"))
    status.update(sha=head, context="lint", state="pending")
    for event, data in (("check_run", check), ("status", status)):
        assert gated.send(event, data).status_code == 202
    gated.work()
    run = verdict(gated, head)
    assert run["conclusion"] == "failure" and "lint: pending" in summary(run)
    status.update(state="success")
    assert gated.send("status", status).status_code == 202
    gated.work()
    assert verdict(gated, head)["conclusion"] == "success"
    # The gate's own check run reported back never re-runs the gate.
    before = len(gated.github.requests)
    own = copy.deepcopy(check)
    own["check_run"]["name"] = "charter"
    assert gated.send("check_run", own).status_code == 202
    gated.work()
    assert len(gated.github.requests) == before


def test_a_governance_change_opens_its_decision_once(gated: Hub, repo: Repo) -> None:
    title = "Let maintainers nominate"
    head = open_pull(gated, repo, {"GOVERNANCE.md": "# Governance\n\nNew rules.\n"}, title)
    decision = gated.gov.state(REPO)["decisions"][str(NUMBER)]
    assert decision["process"] == "governance-change" and decision["title"] == title
    # A redelivery and a later event open nothing more.
    payload = pull_payload("opened", head, title=title)
    for guid in ("same", "same", "other"):
        gated.send("pull_request", payload, guid=guid)
        gated.work()
    proposals = [e for e in gated.gov.events_after(REPO) if e.command.get("do") == "propose"]
    assert len(proposals) == 1 and proposals[0].command["by"] == AUTHOR


def push_main(hub: Hub, repo: Repo, files: dict[str, str | None]) -> str:
    """Commit FILES on main, push it, and send GitHub's push event; returns the new commit."""
    repo.branch("main")
    before = git(repo.work, "rev-parse", "HEAD").strip()
    after = repo.commit(files)
    repo.push("refs/heads/main")
    push = copy.deepcopy(fixture("push"))
    push.update(ref="refs/heads/main", before=before, after=after)
    push["repository"]["default_branch"] = "main"
    assert hub.send("push", push).status_code == 202
    hub.work()
    return after


def test_the_policy_is_read_on_installation_and_reloaded_on_push(gated: Hub,
                                                                 repo: Repo) -> None:
    installed = gated.gov.project(REPO)
    assert installed.policy.policy.project.name == "Hello World"
    assert installed.policy.policy.pull_requests.checks is None
    # A push that does not touch the policy adopts nothing.
    push_main(gated, repo, {"README.md": "hello again\n"})
    assert gated.gov.project(REPO).policy_hash == installed.policy_hash
    push_main(gated, repo, {".github/charter.yaml": POLICY + "  checks: [build]\n"})
    adopted = gated.gov.project(REPO)
    assert adopted.policy_hash != installed.policy_hash
    checks = adopted.policy.policy.pull_requests.checks
    assert checks is not None and checks.required == ("build",)
    assert gated.github.runs() == []  # nothing to say on the commit


def test_a_bad_policy_pushed_to_the_default_branch_is_refused_with_the_reason(
        gated: Hub, repo: Repo) -> None:
    policy_hash = gated.gov.project(REPO).policy_hash
    after = push_main(gated, repo, {".github/charter.yaml": POLICY.replace(
        "roles: [maintainer]", "roles: maintainer")})
    run = verdict(gated, after)
    assert run["conclusion"] == "failure" and run["output"]["title"] == "Policy not adopted"
    assert f"{after[:12]}:.github/charter.yaml:3" in summary(run)
    assert gated.gov.project(REPO).policy_hash == policy_hash


def test_a_payload_cannot_choose_where_the_worker_fetches(gated: Hub, repo: Repo,
                                                          tmp_path: Path) -> None:
    # A repository elsewhere on this machine holds the head the payload names.
    evil = Repo(tmp_path / "evil", tmp_path / "evil.git")
    git(tmp_path, "clone", "-q", str(repo.remote), str(evil.work))
    git(tmp_path, "init", "-q", "--bare", str(evil.remote))
    head = evil.commit({"README.md": "from elsewhere\n"})
    evil.push(f"refs/pull/{NUMBER}/head")
    data = pull_payload("opened", head)
    for key in ("clone_url", "git_url", "url", "html_url"):
        data["repository"][key] = evil.remote.as_uri()
    assert gated.send("pull_request", data).status_code == 202
    gated.work()
    mirror = Mirror(tmp_path / "mirrors", Remote((tmp_path / "remotes").as_uri()))
    assert not mirror.has(REPO, head)
    assert gated.github.runs() == []
    # The fetch is retried with backoff, then the verdict is neutral and says why, so the
    # installation's later deliveries are not held back.
    gated.comment("/propose governance-change", "alice", number=9)
    for _ in range(FETCH_TRIES):
        gated.clock.advance(hours=2)
        gated.work()
    assert not mirror.has(REPO, head)
    run = verdict(gated, head)
    assert run["conclusion"] == "neutral" and "git fetch failed" in summary(run)
    assert "decision 9 is **open**" in gated.github.comments()[-1].body["body"]


def test_a_pull_request_charter_has_not_seen_is_read_from_github(gated: Hub,
                                                                 repo: Repo) -> None:
    repo.branch("change")
    head = repo.commit({"README.md": "installed after it opened\n"})
    repo.push(f"refs/pull/{NUMBER}/head")
    gated.github.pulls[(REPO, NUMBER)] = pull_payload("opened", head)["pull_request"]
    said = pr_comment(gated, "/approve", "alice")
    assert "accepted" in said
    assert any(r.method == "GET" and r.path == f"/repos/{REPO}/pulls/{NUMBER}"
               for r in gated.github.requests)
    assert verdict(gated, head)["conclusion"] == "success"


def test_the_dashboard_shows_the_gate_and_escapes_what_the_pull_request_named(
        gated: Hub, repo: Repo) -> None:
    page = f"/projects/{REPO}/pulls/{NUMBER}"
    assert "No gate run yet" in gated.http.get(page).text
    head = open_pull(gated, repo, {"docs/<script>alert(1)</script>.md": "hi\n"})
    html = gated.http.get(page).text
    assert "Check run <code>charter</code>: failure" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert head[:12] in html

    pr_comment(gated, "/approve", "alice")
    shown = gated.http.get(page, headers={"Accept": "application/json"}).json()
    gate = shown["gate"]
    assert gate["head"] == head and gate["author"] == AUTHOR
    assert gate["approvals"] == [{"login": "alice", "at": head}]
    assert gate["check_run"]["conclusion"] == "success" and gate["check_run"]["posted"]
    assert "alice at" in gated.http.get(page).text

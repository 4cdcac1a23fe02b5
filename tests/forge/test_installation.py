"""Projects appear when the App is installed on their repository, and stay when it leaves."""

from __future__ import annotations

import sqlalchemy as sa

from charter.store.tables import installations
from tests.forge.conftest import Hub, fixture


def linked(hub: Hub) -> dict[int, tuple[int, bool]]:
    with hub.gov.db.connect() as conn:
        return {r.project_id: (r.installation_id, r.active)
                for r in conn.execute(sa.select(installations))}


def test_installation_creates_projects_with_the_installer_as_maintainer(hub: Hub) -> None:
    assert hub.send("installation", fixture("installation.created")).status_code == 202
    hub.work()
    assert hub.gov.project_names() == ["Codertocat/Hello-World"]
    project = hub.gov.project("Codertocat/Hello-World")
    assert project.people == {"Codertocat": ["maintainer"]}
    # Until the repository's policy file is read, the default preset (llama-stack) applies.
    assert project.policy_hash == hub.gov.create_project("x/y", "llama-stack", {}).policy_hash
    assert linked(hub) == {project.id: (957387, True)}


def test_repositories_added_and_removed(hub: Hub) -> None:
    added = fixture("installation_repositories.added")
    assert hub.send("installation_repositories", added).status_code == 202
    removed = {**added, "action": "removed", "repositories_added": [],
               "repositories_removed": added["repositories_added"]}
    assert hub.send("installation_repositories", removed).status_code == 202
    hub.work()
    project = hub.gov.project("Codertocat/Space")
    # The project and its log stay; only the installation link is off.
    assert linked(hub) == {project.id: (957387, False)}


def test_an_existing_project_is_linked_not_replaced(hub: Hub) -> None:
    hub.gov.create_project("Codertocat/Hello-World", "llm-d", {"alice": "maintainer"})
    hub.send("installation", fixture("installation.created"))
    hub.work()
    project = hub.gov.project("Codertocat/Hello-World")
    assert project.people == {"alice": ["maintainer"]}
    assert linked(hub)[project.id] == (957387, True)

"""Build the DEMO and ENG spaces: pages, versions, comments, labels, attachments, gallery."""

from __future__ import annotations

from importlib import resources

from .._records import TaskRecord, TemplateRecord
from .._store import FakeStore
from ._assets import pdf_document, release_notes_text, tiny_png
from ._demo_pages import HOME_BODY, demo_pages
from ._markup import code, mention, p, page_link, panel

__all__ = ["seed_demo", "corpus_documents"]

_LABELS = {
    "Getting Started": ["getting-started", "onboarding"],
    "Quick start tutorial": ["getting-started", "tutorial"],
    "Installing on Linux": ["install", "linux"],
    "Installing on macOS": ["install", "macos"],
    "Installing on Windows": ["install", "windows"],
    "Architecture overview": ["architecture", "design"],
    "Incident response": ["runbook", "oncall"],
    "Database failover": ["runbook", "database"],
    "Rotating credentials": ["runbook", "security"],
    "Release checklist": ["release", "checklist"],
    "Requirement: Single sign-on": ["requirement", "security"],
    "Requirement: Audit log export": ["requirement"],
    "Requirement: Offline mode": ["requirement"],
    "Onboarding checklist": ["onboarding", "checklist"],
    "Python style guide": ["python", "standards"],
    "FAQ": ["faq"],
}


def corpus_documents() -> list[tuple[str, str]]:
    """(file stem, storage) for every ``corpus/*.xml`` shipped with the package, by name."""
    folder = resources.files("confluence_client.testing").joinpath("corpus")
    if not folder.is_dir():
        return []
    docs = []
    for entry in sorted(folder.iterdir(), key=lambda t: t.name):
        if entry.name.endswith(".xml") and entry.is_file():
            try:
                docs.append((entry.name[:-4], entry.read_text(encoding="utf-8")))
            except (UnicodeDecodeError, OSError):
                continue  # a half-written or binary file: skip rather than fail the seed
    return docs


def seed_demo(store: FakeStore, u: dict[str, str]) -> None:
    """Fill ``store`` with the DEMO and ENG spaces."""
    demo = store.add_space(
        "DEMO",
        "Demo Space",
        description="A realistic demo space for the fake Confluence.",
        homepage_body=HOME_BODY,
        author_id=u["alice"],
    )
    ids: dict[str, str] = {f"{demo.name} Home": str(demo.homepage_id)}
    authors = [u["alice"], u["bob"], u["carol"], u["dan"], u["eve"]]
    for n, (title, parent, body) in enumerate(demo_pages(u)):
        parent_id = ids[parent] if parent else demo.homepage_id
        page = store.add_page(demo.id, title, body, parent_id=parent_id, author_id=authors[n % 5])
        ids[title] = page.id
    _gallery(store, demo.id, ids["Markup gallery"], u)
    _history(store, ids, u)
    for title, names in _LABELS.items():
        for name in names:
            store.add_label(ids[title], name)
    _comments(store, ids, u)
    _attachments(store, ids, u)
    _eng(store, u)
    # Last, so the ids of everything seeded before stay as they were.
    _inline_comments(store, ids, u)
    store.add_page(
        demo.id,
        "Release 2.4 is out",
        p("Version 2.4 brings faster search and ", page_link("Release checklist"), " updates.")
        + p("Thanks to everyone who tested the beta."),
        author_id=u["alice"],
        kind="blogpost",
    )
    salaries = store.add_page(
        demo.id,
        "Salary bands",
        p("Restricted to HR."),
        parent_id=demo.homepage_id,
        author_id=u["alice"],
    )
    store.restrictions[salaries.id] = {"read": {u["alice"], u["fake"]}, "update": {u["alice"]}}
    _templates(store, demo.id)
    _tasks(store, ids, u)
    handbook = store.add_page(
        demo.id, "Team handbook", parent_id=demo.homepage_id, author_id=u["bob"], kind="folder"
    )
    for title, text in (
        ("Working hours", "Core hours are 10:00 to 16:00."),
        ("Expenses", "Submit receipts within 30 days."),
    ):
        store.add_page(demo.id, title, p(text), parent_id=handbook.id, author_id=u["bob"])
    # Cloud-only tree nodes without a storage body: a whiteboard under a page, a database in
    # the folder (Data Center sites of the fake show them too; real Data Center has none).
    store.add_page(demo.id, "Product roadmap board", parent_id=ids["Product"], kind="whiteboard")
    store.add_page(
        demo.id, "Equipment inventory", parent_id=handbook.id, author_id=u["bob"], kind="database"
    )
    # Cloud analytics: six views of the home page by three people.
    store.page_views[str(demo.homepage_id)] = [u["alice"]] * 3 + [u["bob"]] * 2 + [u["carol"]]


def _gallery(store: FakeStore, space_id: str, parent: str, u: dict[str, str]) -> None:
    for stem, storage in corpus_documents():
        title = "Markup: " + stem.replace("-", " ").replace("_", " ")
        store.add_page(space_id, title, storage, parent_id=parent, author_id=u["eve"])


def _history(store: FakeStore, ids: dict[str, str], u: dict[str, str]) -> None:
    arch = ids["Architecture overview"]
    base = store.get_page(arch).body
    store.update_page(
        arch,
        version=2,
        body=base + p("Added the messaging principle."),
        message="Add principles",
        author_id=u["bob"],
    )
    store.update_page(
        arch,
        version=3,
        body=base + p("Reviewed by ", mention(u["alice"]), "."),
        message="Review",
        minor_edit=True,
        author_id=u["alice"],
    )
    checklist = ids["Release checklist"]
    for n in range(2, 5):
        store.update_page(
            checklist,
            version=n,
            body=store.get_page(checklist).body + p(f"Revision {n}: clarified step {n - 1}."),
            message=f"Revision {n}",
            author_id=u["dan"],
        )
    store.update_page(
        ids["Roadmap 2025"],
        version=2,
        title="Roadmap 2025",
        body=store.get_page(ids["Roadmap 2025"]).body + p("Q4 to be decided."),
        message="Q4 placeholder",
        author_id=u["carol"],
    )
    home = ids["Demo Space Home"]
    store.update_page(
        home, version=2, body=store.get_page(home).body, message="Tidy layout", author_id=u["alice"]
    )


def _comments(store: FakeStore, ids: dict[str, str], u: dict[str, str]) -> None:
    first = store.add_comment(
        ids["Architecture overview"], p("Should we add a section on caching?"), author_id=u["carol"]
    )
    reply = store.add_comment(
        "",
        p("Good idea, ", mention(u["carol"]), ". I will draft it."),
        parent_comment_id=first.id,
        author_id=u["bob"],
    )
    store.add_comment("", p("Thanks!"), parent_comment_id=reply.id, author_id=u["carol"])
    store.add_comment(
        ids["Architecture overview"], p("The diagram is out of date."), author_id=u["dan"]
    )
    store.add_comment(
        ids["Incident response"], p("Add the status page link to step 2."), author_id=u["eve"]
    )
    q = store.add_comment(
        ids["Quick start tutorial"], p("Does this work on Windows?"), author_id=u["fake"]
    )
    store.add_comment(
        "",
        p("Yes, see ", page_link("Installing on Windows"), "."),
        parent_comment_id=q.id,
        author_id=u["alice"],
    )
    store.add_comment(ids["Release checklist"], p("Tagged 2.4.0."), author_id=u["dan"])


def _inline_comments(store: FakeStore, ids: dict[str, str], u: dict[str, str]) -> None:
    arch = ids["Architecture overview"]
    gateway = store.add_inline_comment(
        arch, p("Which gateway product do we use?"), "API gateway", author_id=u["dan"]
    )
    store.reply_inline_comment(gateway.id, p("Kong, see the ADR."), author_id=u["bob"])
    observable = store.add_inline_comment(
        arch, p("Define observable: logs, metrics, traces."), "observable", author_id=u["eve"]
    )
    store.update_inline_comment(observable.id, 2, resolved=True, user_id=u["bob"])


def _attachments(store: FakeStore, ids: dict[str, str], u: dict[str, str]) -> None:
    store.add_attachment(
        ids["Architecture overview"],
        "architecture-diagram.png",
        tiny_png(),
        media_type="image/png",
        comment="Current architecture",
        author_id=u["bob"],
    )
    store.add_attachment(
        ids["Release notes 2.4"],
        "release-notes.txt",
        release_notes_text(),
        media_type="text/plain",
        comment="Full release notes",
        author_id=u["dan"],
    )
    store.add_attachment(
        ids["Roadmap 2025"],
        "roadmap-2025.pdf",
        pdf_document(),
        media_type="application/pdf",
        comment="Board deck",
        author_id=u["carol"],
    )


def _eng(store: FakeStore, u: dict[str, str]) -> None:
    eng = store.add_space(
        "ENG",
        "Engineering",
        description="The engineering team's own space.",
        homepage_body=p("Engineering team home."),
        author_id=u["bob"],
    )
    onboarding = store.add_page(
        eng.id,
        "ENG Onboarding",
        p("Start here, then read ", page_link("Python style guide", space_key="DEMO"), "."),
        parent_id=eng.homepage_id,
        author_id=u["bob"],
    )
    store.add_page(
        eng.id,
        "On-call rotation",
        panel("info", p("Rotation changes every Monday.")),
        parent_id=eng.homepage_id,
        author_id=u["dan"],
    )
    store.add_page(
        eng.id,
        "Postmortem template",
        code("markdown", "## Summary\n## Impact\n## Timeline\n## Action items"),
        parent_id=onboarding.id,
        author_id=u["dan"],
    )
    store.add_label(onboarding.id, "onboarding")


def _templates(store: FakeStore, space_id: str) -> None:
    global_id, space_template_id = store.next_id(), store.next_id()
    store.templates[global_id] = TemplateRecord(
        global_id,
        "Meeting notes",
        "Date, attendees, decisions and action items.",
        '<at:declarations><at:string at:name="date" /><at:string at:name="attendees" />'
        '</at:declarations><h2>Meeting on <at:var at:name="date" /></h2>'
        '<p>Attendees: <at:var at:name="attendees" /></p><h2>Decisions</h2><p></p>'
        "<h2>Action items</h2><p></p>",
    )
    store.templates[space_template_id] = TemplateRecord(
        space_template_id,
        "Incident report",
        "Summary, impact and follow-ups of an incident.",
        '<at:declarations><at:string at:name="service" /><at:string at:name="severity" />'
        '</at:declarations><h2>Summary</h2><p><at:var at:name="service" /> outage, severity '
        '<at:var at:name="severity" />.</p><h2>Impact</h2><p></p><h2>Follow-ups</h2><p></p>',
        space_id,
    )


def _tasks(store: FakeStore, ids: dict[str, str], u: dict[str, str]) -> None:
    for page, body, who, done in (
        ("Release checklist", "Tag the release", u["dan"], True),
        ("Release checklist", "Publish the release notes", u["alice"], False),
        ("Incident response", "Review the on-call rota", u["fake"], False),
    ):
        task = TaskRecord(store.next_id(), ids[page], body, u["alice"], store.now(), who)
        if done:
            task.status, task.completed_by, task.completed_at = "complete", who, store.now()
        store.tasks[task.id] = task

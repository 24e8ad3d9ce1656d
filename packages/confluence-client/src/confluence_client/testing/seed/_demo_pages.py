"""The DEMO space's page tree: (title, parent title, storage body) in creation order."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape as e

from ._markup import (
    code,
    expand,
    h,
    image,
    layout,
    mention,
    p,
    page_link,
    panel,
    status,
    table,
    tasks,
    toc,
    ul,
)

__all__ = ["demo_pages", "HOME_BODY"]

HOME_BODY = layout(
    h(1, "Welcome to the Demo Space")
    + p("This space documents the Acme platform: how to install it, how it is built, ")
    + p("and how the team works. Start with ", page_link("Getting Started"), "."),
    h(2, "Popular pages")
    + ul(page_link("Quick start tutorial"), page_link("Incident response"), page_link("FAQ")),
)


def demo_pages(u: Mapping[str, str]) -> list[tuple[str, str | None, str]]:
    """Every DEMO page below the home page; ``u`` maps first names to account ids."""
    install = [
        (
            "Installing on Linux",
            "bash",
            "curl -fsSL https://example.com/acme/install.sh | sh\nacme --version",
        ),
        ("Installing on macOS", "bash", "brew tap acme/tools\nbrew install acme\nacme --version"),
        ("Installing on Windows", "powershell", "winget install Acme.Cli\nacme --version"),
    ]
    pages: list[tuple[str, str | None, str]] = [
        (
            "Getting Started",
            None,
            toc()
            + h(2, "Overview")
            + p("New to Acme? Read these pages in order.")
            + ul(
                page_link("Installation"),
                page_link("Configuration"),
                page_link("Quick start tutorial"),
            )
            + panel(
                "info", p("Questions? Ask in #acme-help or mention ", mention(u["alice"]), ".")
            ),
        ),
        (
            "Installation",
            "Getting Started",
            p("Acme runs on Linux, macOS and Windows.")
            + table(
                ["Platform", "Supported versions", "Status"],
                [
                    ["Linux", "Ubuntu 22.04+, RHEL 9", status("Supported", "Green")],
                    ["macOS", "13 Ventura and later", status("Supported", "Green")],
                    ["Windows", "Windows 11", status("Beta", "Yellow")],
                ],
            ),
        ),
    ]
    for title, lang, source in install:
        pages.append(
            (
                title,
                "Installation",
                h(2, "Install")
                + code(lang, source)
                + panel("note", p("You need administrator rights for a system-wide install.")),
            )
        )
    pages += [
        (
            "Troubleshooting Linux installs",
            "Installing on Linux",
            h(2, "Permission denied")
            + p(
                "Run the installer with ",
                "<code>sudo</code>",
                " or install to ",
                "<code>~/.local</code>",
                ".",
            )
            + h(2, "Missing libssl")
            + code("bash", "sudo apt-get install -y libssl3")
            + panel(
                "warning", p("Never disable TLS verification to work around certificate errors.")
            ),
        ),
        (
            "Configuration",
            "Getting Started",
            p(
                "Acme reads its settings from the environment first, "
                "then from <code>acme.toml</code>."
            )
            + ul(page_link("Environment variables"), page_link("Configuration file reference")),
        ),
        (
            "Environment variables",
            "Configuration",
            table(
                ["Variable", "Default", "Meaning"],
                [
                    ["<code>ACME_HOME</code>", "<code>~/.acme</code>", "Where data is stored"],
                    [
                        "<code>ACME_LOG_LEVEL</code>",
                        "<code>info</code>",
                        "One of debug, info, warning, error",
                    ],
                    ["<code>ACME_TIMEOUT</code>", "<code>30</code>", "Request timeout in seconds"],
                ],
            ),
        ),
        (
            "Configuration file reference",
            "Configuration",
            toc()
            + h(2, "Example")
            + code(
                "toml",
                '[server]\nhost = "127.0.0.1"\nport = 8080\n\n[storage]\npath = "/var/lib/acme"',
                "acme.toml",
            )
            + h(2, "Sections")
            + p(
                "<strong>server</strong> controls the listener; <strong>storage</strong> "
                "the data directory."
            ),
        ),
        (
            "Quick start tutorial",
            "Getting Started",
            h(2, "Five minutes to your first project")
            + tasks(
                [
                    ("Install the CLI", True),
                    ("Run <code>acme init demo</code>", False),
                    ("Open the dashboard", False),
                ]
            )
            + code("bash", "acme init demo\ncd demo\nacme serve")
            + p(
                "Next, read the ", page_link("Architecture overview", "architecture overview"), "."
            ),
        ),
        (
            "Engineering",
            None,
            p("Everything about how Acme is built and run.")
            + layout(
                ul(page_link("Architecture overview"), page_link("Coding standards")),
                ul(page_link("Runbooks"), page_link("Release process")),
            ),
        ),
        (
            "Architecture overview",
            "Engineering",
            toc()
            + h(2, "Context")
            + p("Acme is a set of small services behind one API gateway.")
            + image("architecture-diagram.png", "Architecture diagram")
            + h(2, "Principles")
            + ul(
                "Services own their data",
                "Asynchronous messaging between services",
                "Every service is observable",
            )
            + p("Owner: ", mention(u["bob"])),
        ),
        (
            "Service catalogue",
            "Architecture overview",
            table(
                ["Service", "Owner", "Tier"],
                [
                    [page_link("Billing service"), mention(u["carol"]), status("Tier 1", "Red")],
                    [page_link("Search service"), mention(u["dan"]), status("Tier 2", "Yellow")],
                    [
                        page_link("Notification service"),
                        mention(u["eve"]),
                        status("Tier 3", "Grey"),
                    ],
                ],
            ),
        ),
        (
            "Billing service",
            "Service catalogue",
            p("Computes invoices nightly and exposes ", "<code>/v1/invoices</code>.")
            + code(
                "python",
                "def total(lines):\n    return sum(l.amount for l in lines)",
                "billing/total.py",
            ),
        ),
        (
            "Search service",
            "Service catalogue",
            p("Full-text search over every document, with a ", "nightly reindex.")
            + panel("tip", p("Use quotes for exact phrases.")),
        ),
        (
            "Notification service",
            "Service catalogue",
            p("Sends e-mail and chat notifications; retries ", "with exponential backoff."),
        ),
        (
            "Data model",
            "Architecture overview",
            h(2, "Entities")
            + table(
                ["Entity", "Key", "Notes"],
                [
                    ["Account", "<code>account_id</code>", "One per customer"],
                    ["Project", "<code>project_id</code>", "Belongs to an account"],
                ],
            ),
        ),
        (
            "Coding standards",
            "Engineering",
            p("Shared rules for all repositories.")
            + ul(page_link("Python style guide"), page_link("Code review checklist")),
        ),
        (
            "Python style guide",
            "Coding standards",
            h(2, "Formatting")
            + p("We use ruff for formatting and linting.")
            + code(
                "python",
                "from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass Point:\n"
                "    x: float\n    y: float",
            )
            + expand("Why frozen dataclasses?", p("Immutable values are easier to reason about.")),
        ),
        (
            "Code review checklist",
            "Coding standards",
            tasks(
                [
                    ("Tests cover the change", False),
                    ("Public API has docstrings", False),
                    ("No secrets in logs", False),
                ]
            ),
        ),
        (
            "Runbooks",
            "Engineering",
            panel("warning", p("Follow these during incidents; improve them after."))
            + ul(
                page_link("Incident response"),
                page_link("Database failover"),
                page_link("Rotating credentials"),
            ),
        ),
        (
            "Incident response",
            "Runbooks",
            toc()
            + h(2, "Severity levels")
            + table(
                ["Level", "Meaning", "Response"],
                [
                    [status("SEV1", "Red"), "Customer-facing outage", "Page on-call immediately"],
                    [status("SEV2", "Yellow"), "Degraded service", "Respond within 30 minutes"],
                    [status("SEV3", "Blue"), "Minor issue", "Next business day"],
                ],
            )
            + h(2, "Steps")
            + tasks(
                [
                    ("Acknowledge the page", False),
                    ("Open an incident channel", False),
                    ("Post updates every 30 minutes", False),
                ],
                10,
            )
            + p("Escalate to ", mention(u["bob"]), " if unresolved after an hour."),
        ),
        (
            "Database failover",
            "Runbooks",
            panel("note", p("Failover takes about two minutes."))
            + code("bash", "acme db promote --replica db-2\nacme db status"),
        ),
        (
            "Rotating credentials",
            "Runbooks",
            p("Rotate API tokens every 90 days.")
            + code("bash", "acme secrets rotate --name api-token")
            + panel("warning", p("Update every consumer before revoking the old token.")),
        ),
        (
            "Release process",
            "Engineering",
            p("We release every two weeks on Tuesday.")
            + ul(page_link("Release checklist"), page_link("Release notes 2.4")),
        ),
        (
            "Release checklist",
            "Release process",
            tasks(
                [
                    ("Freeze the release branch", True),
                    ("Run the full test suite", True),
                    ("Update the changelog", False),
                    ("Tag and publish", False),
                ],
                20,
            ),
        ),
        (
            "Release notes 2.4",
            "Release process",
            h(2, "Highlights")
            + ul("Single sign-on", "Audit log export")
            + p(
                "Full notes are attached: ",
                '<ac:link><ri:attachment ri:filename="release-notes.txt" /></ac:link>',
            ),
        ),
        ("Product", None, p("Roadmap, requirements and what customers tell us.")),
        (
            "Roadmap 2025",
            "Product",
            table(
                ["Quarter", "Theme", "Status"],
                [
                    ["Q1", "Single sign-on", status("Done", "Green")],
                    ["Q2", "Audit log export", status("In progress", "Yellow")],
                    ["Q3", "Offline mode", status("Planned", "Grey")],
                ],
            )
            + p("The board deck is attached as roadmap-2025.pdf."),
        ),
        (
            "Requirements",
            "Product",
            p("One page per requirement, labelled <code>requirement</code>."),
        ),
    ]
    for name, state, colour in (
        ("Single sign-on", "Approved", "Green"),
        ("Audit log export", "In review", "Yellow"),
        ("Offline mode", "Draft", "Grey"),
    ):
        pages.append(
            (
                f"Requirement: {name}",
                "Requirements",
                table(
                    ["Field", "Value"],
                    [["Status", status(state, colour)], ["Owner", mention(u["carol"])]],
                )
                + h(2, "Problem")
                + p(e(f"Customers need {name.lower()}."))
                + h(2, "Acceptance criteria")
                + tasks([(f"{name} works end to end", False)], 40),
            )
        )
    pages += [
        (
            "Customer feedback",
            "Product",
            panel("info", p("Collected from support tickets each month."))
            + ul("Search should support exact phrases", "Exports should include attachments"),
        ),
        ("Team", None, p("Who we are and how we work.")),
        ("Meeting notes", "Team", p("Notes from recurring meetings, newest first.")),
    ]
    for date, kind in (
        ("2024-03-04", "Weekly sync"),
        ("2024-03-11", "Weekly sync"),
        ("2024-03-18", "Retrospective"),
    ):
        pages.append(
            (
                f"{date} {kind}",
                "Meeting notes",
                h(2, "Attendees")
                + ul(mention(u["alice"]), mention(u["bob"]), mention(u["dan"]))
                + h(2, "Action items")
                + tasks(
                    [
                        (f"{mention(u['alice'])} share the {kind.lower()} summary", True),
                        ("Update the roadmap", False),
                    ],
                    60,
                ),
            )
        )
    pages += [
        (
            "Onboarding checklist",
            "Team",
            tasks(
                [
                    ("Get a laptop", True),
                    ("Join #acme-team", False),
                    ("Read the Python style guide", False),
                ],
                80,
            ),
        ),
        (
            "Team directory",
            "Team",
            table(
                ["Name", "Role"],
                [
                    [mention(u["alice"]), "Engineering manager"],
                    [mention(u["bob"]), "Principal engineer"],
                    [mention(u["carol"]), "Product manager"],
                    [mention(u["dan"]), "Site reliability"],
                    [mention(u["eve"]), "Designer"],
                ],
            ),
        ),
        ("How-to articles", None, p("Short answers to common tasks.")),
        (
            "How to request access",
            "How-to articles",
            p("Open a ticket in the IT portal and mention ", mention(u["dan"]), "."),
        ),
        (
            "How to write a good page",
            "How-to articles",
            ul("Lead with the answer", "Use headings", "Link related pages"),
        ),
        (
            "How to use labels",
            "How-to articles",
            p("Labels group pages across the tree; search with ", "<code>label = runbook</code>."),
        ),
        (
            "FAQ",
            None,
            expand("Where are the logs?", p("In <code>$ACME_HOME/logs</code>."))
            + expand("How do I reset my password?", p("Use the sign-in page's reset link."))
            + expand("Who owns billing?", p(mention(u["carol"]))),
        ),
        (
            "Markup gallery",
            None,
            p("One page per storage-format sample; used by the conversion tests."),
        ),
    ]
    return pages

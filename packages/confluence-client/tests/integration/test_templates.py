"""Page templates through the SDK (Cloud, OAuth gateway, DC)."""

import pytest

from confluence_client import ConfluenceClient, InvalidInputError
from confluence_client.testing import FakeConfluenceServer


async def test_templates(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    global_ones = await client.list_templates()
    assert [(t.name, t.space_key) for t in global_ones.items] == [("Meeting notes", None)]
    space_ones = await client.list_templates("DEMO")
    [incident] = space_ones.items
    assert (incident.name, incident.space_key, incident.body) == ("Incident report", "DEMO", None)
    full = await client.get_template(incident.id)
    assert full.variables == ("service", "severity")
    assert full.body is not None
    assert "<at:var" in full.body
    page = await client.create_page_from_template(
        incident.id,
        "DEMO",
        "Incident 42",
        variables={"service": "Billing <API>", "severity": "high"},
    )
    stored = server.store.pages[page.id].body
    assert "<p>Billing &lt;API&gt; outage, severity high.</p>" in stored
    assert "at:" not in stored
    with pytest.raises(InvalidInputError, match="missing \\['severity'\\]"):
        await client.create_page_from_template(incident.id, "DEMO", "x", variables={"service": "a"})
    with pytest.raises(InvalidInputError, match="unknown \\['colour'\\]"):
        await client.create_page_from_template(
            incident.id, "DEMO", "x", variables={"service": "a", "severity": "b", "colour": "c"}
        )

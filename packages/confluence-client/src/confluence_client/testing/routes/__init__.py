"""Route tables of the fake Confluence, one module per API family."""

pytest_plugins = ["confluence_client.testing.pytest_plugin"]

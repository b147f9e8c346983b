"""The HTTP API: one router per feature over the services the CLI and the tests use too; `create_app` builds it."""

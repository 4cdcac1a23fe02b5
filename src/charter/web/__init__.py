"""The HTTP service: REST API, webhook endpoint and dashboard, all served by one process."""

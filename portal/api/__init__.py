"""Read-only JSON API for other intranet tools."""

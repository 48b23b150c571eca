"""Shared building blocks without routes: database helpers, audit, permissions, htmx, exports."""

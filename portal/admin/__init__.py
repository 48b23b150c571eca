"""Administration: users, sites and services."""

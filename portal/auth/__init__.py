"""People: users, roles, sites, services, sessions, login."""

"""People: staff, teams and their history, positions with their requirements, employment contracts."""

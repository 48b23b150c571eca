"""Controlled documents (ISO 9001 clause 7.5): register, revisions, signatures, reading, import."""

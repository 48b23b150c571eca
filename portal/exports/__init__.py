"""Exports of records for auditors (Excel and PDF bundles), built in the background."""

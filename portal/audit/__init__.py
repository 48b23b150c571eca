"""The auditors' view of the audit trail."""

"""The audit log for supervisors and admins (Protokoll)."""

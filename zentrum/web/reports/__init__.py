"""Supervisors' reports: the dashboard, the drill-down behind its figures and the exports."""

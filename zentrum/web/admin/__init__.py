"""Administration: routing rules (users and partners follow)."""

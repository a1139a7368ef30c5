"""Organisers: vetting, triage, matching and reports for their own organisation."""

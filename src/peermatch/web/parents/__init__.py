"""Parents: their requests for support and their data."""

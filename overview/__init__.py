"""The fund overview, the self-financing forecast, reports and the public transparency page."""

"""Writes for projects: proposals (drafting), workflow (the state machine), qualification."""

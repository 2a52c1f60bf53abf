"""What apps above projects do when a project is completed (issue 18 §4): repayments registers
at ready() the hand-over of the solution to FDVU. One door, explicit handlers (as
invoicing/handlers.py): projects calls `project_completed`, it does not know who listens."""

from collections.abc import Callable

_completed: list[Callable] = []


def on_project_completed(handler: Callable) -> None:
    """Register `handler(*, project, actor)`, called in the transaction that completes it."""
    if handler not in _completed:
        _completed.append(handler)


def project_completed(*, project, actor) -> None:
    for handler in _completed:
        handler(project=project, actor=actor)

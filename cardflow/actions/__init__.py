"""The action registry: every app's abilities as typed actions, one execution path for all callers.

Declare actions by overriding `AppPlugin.actions()`; CrudApps and Workflows get theirs derived
from their fields and steps. See docs/actions.md.
"""

from cardflow.actions.base import ACTORS, Action, Call, Change, Outcome
from cardflow.actions.runner import ActionRegistry

__all__ = ["ACTORS", "Action", "ActionRegistry", "Call", "Change", "Outcome"]

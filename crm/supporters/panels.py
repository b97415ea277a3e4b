"""Panels that higher features add to the staff profile of a supporter (this feature imports none of them).

A panel is a callable taking the Supporter and returning (template name, context dict), or None
to show nothing. The profile includes each template with its context as `panel`.
"""

_panels = []


def register_profile_panel(panel):
    """Add a panel to every supporter profile (once, however often the app is built)."""
    if panel not in _panels:
        _panels.append(panel)
    return panel


def profile_panels(supporter):
    """Return [(template name, context)] of the registered panels for this supporter, in order."""
    shown = []
    for panel in _panels:
        result = panel(supporter)
        if result is not None:
            shown.append(result)
    return shown

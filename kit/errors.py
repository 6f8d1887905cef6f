"""The one error the kit's commands raise for a problem the user can fix."""


class KitError(Exception):
    """A problem the user can fix; its message says how. Printed as one line, no traceback."""

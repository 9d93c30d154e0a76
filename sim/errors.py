"""Errors a user can cause: the CLI reports them in one line and exits with status 2."""


class UserError(Exception):
    """A mistake in what the user asked for (a value, a file, a spec); the message
    names the thing and what is allowed."""

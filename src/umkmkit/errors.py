"""The one exception type the kit raises for problems a user can act on."""


class UmkmkitError(Exception):
    """A problem a trainer, participant or coordinator can fix.

    The message says what is wrong, where (file, line, column when known) and what to do.
    The CLI prints it without a traceback.
    """

"""The error every invoicing write raises when the rules say no (a leaf module: the services,
the handler registry and the bank import all use it without importing each other)."""


class InvoicingError(ValueError):
    """An invoicing change the rules do not allow; the message is for the user."""

"""In-app notifications with e-mail: `from notifications.notify import notify`."""

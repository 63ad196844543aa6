"""Customer e-mails: rendered from templates, sent through SMTP or the development mailbox,
exactly when their events committed (persistence/customer_messages.py routes them)."""

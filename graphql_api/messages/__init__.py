"""Customer e-mails over GraphQL: what was sent per request, merchants' sender identity and
own templates."""

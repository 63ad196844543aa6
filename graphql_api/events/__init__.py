"""The event log over GraphQL: the audit trail query and the live subscriptions."""

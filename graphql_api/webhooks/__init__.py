"""Webhooks over GraphQL (endpoints, deliveries, resend) and the sender that delivers them."""

"""The customer notifications log (return SMS) over GraphQL."""

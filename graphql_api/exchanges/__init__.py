"""GraphQL for exchanges: the merchant's variants and exchange settings, and what an
operator does to a request's exchange lines (release, payment, fulfilment, conversion)."""

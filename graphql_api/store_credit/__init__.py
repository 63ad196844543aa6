"""GraphQL for store credit: accounts, their ledger, settings, debits and adjustments."""

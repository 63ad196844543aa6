"""Prometheus metrics: what the service does, per face and operation, and what it holds
(connections, subscribers, backlogs), served at GET /metrics.

`recording` is what request code calls (errors by code, the GraphQL operation executed);
`registry` owns the series and the request middleware; `state` reads what the process and
the database hold when scraped; `endpoint` serves and guards /metrics and wires it all."""

"""Pages for people: the landing page, GraphiQL and the REST reference, served with their
front-end files from this app (never a CDN) under a strict Content-Security-Policy."""

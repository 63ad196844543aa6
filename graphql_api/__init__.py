"""The faces of the service: GraphQL (queries, mutations) over aiohttp, wired in app.py."""

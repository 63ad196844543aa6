"""The returns desk (`/desk`): the merchant operations team's live dashboard, a browser client
of the public GraphQL API only. This package serves its page; its scripts, styles and GraphQL
documents are static files under pages/static/desk/."""

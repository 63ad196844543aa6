"""The tenant's API clients (their keys) as admins manage them from the desk."""

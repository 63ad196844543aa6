"""The tenant's team: staff users (domain/staff.py), managed by admins."""

"""The returns domain core: plain Python, no I/O.

Everything here is importable without a database, a web framework or a network: entities,
state transitions, eligibility rules, events and errors. Time and ids come in as arguments.
"""

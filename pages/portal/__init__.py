"""The customer return portal that OTO's getReturnLink points to."""

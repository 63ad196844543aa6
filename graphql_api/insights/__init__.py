"""`returnInsights`: a merchant's charts (why things come back, and what it costs)."""

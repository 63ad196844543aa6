"""Maps the domain to SQL: SQLModel tables, repositories, unit of work, migrations, outbox."""

"""What reads the database: the read-only API researchers and notebooks use."""

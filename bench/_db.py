"""What every bench shares: its PostgreSQL database, created when missing."""

from __future__ import annotations


def create_database_if_missing(database_url: str) -> None:
    """CREATE DATABASE for the last path part of `database_url` unless it exists (same server, via `postgres`)."""
    import psycopg2

    base, name = database_url.rsplit("/", 1)
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not cursor.fetchone():
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()

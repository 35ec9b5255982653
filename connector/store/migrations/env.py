"""Alembic's entry point: migrate on the connection ``migrate.upgrade_schema`` has locked."""

from alembic import context

from connector.store.tables import metadata

context.configure(connection=context.config.attributes["connection"], target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()

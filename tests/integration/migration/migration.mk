## tests/integration/migration/migration.mk: placeholder, being written.

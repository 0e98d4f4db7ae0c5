## tests/qemumigration/params.mk: placeholder, being written.

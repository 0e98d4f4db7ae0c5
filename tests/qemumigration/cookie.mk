## tests/qemumigration/cookie.mk: placeholder, being written.

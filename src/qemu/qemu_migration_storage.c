/* qemu_migration_storage.c: placeholder, being written. */
#include <config.h>

typedef int qemu_migration_storage_placeholder;

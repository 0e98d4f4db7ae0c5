/* qemu_migration.c: placeholder, being written. */
#include <config.h>

typedef int qemu_migration_placeholder;

/* qemu_migration_src.c: placeholder, being written. */
#include <config.h>

typedef int qemu_migration_src_placeholder;

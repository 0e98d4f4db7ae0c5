/* qemu_migration_dst.c: placeholder, being written. */
#include <config.h>

typedef int qemu_migration_dst_placeholder;

/* qemu_migration_p2p.c: placeholder, being written. */
#include <config.h>

typedef int qemu_migration_p2p_placeholder;

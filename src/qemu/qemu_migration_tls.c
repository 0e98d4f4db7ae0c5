/* qemu_migration_tls.c: placeholder, being written. */
#include <config.h>

typedef int qemu_migration_tls_placeholder;

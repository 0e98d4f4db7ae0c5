/* qemu_migration_params.c: placeholder, being written. */
#include <config.h>

typedef int qemu_migration_params_placeholder;

/* qemu_migration_progress.c: placeholder, being written. */
#include <config.h>

typedef int qemu_migration_progress_placeholder;

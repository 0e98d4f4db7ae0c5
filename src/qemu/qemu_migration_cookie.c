/* qemu_migration_cookie.c: placeholder, being written. */
#include <config.h>

typedef int qemu_migration_cookie_placeholder;

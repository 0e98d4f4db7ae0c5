/* memtrim.c: qvirt_memory_trim() (see memtrim.h). */
#include <config.h>

#include <stdlib.h> /* defines __GLIBC__ on glibc */
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "util/memtrim.h"

void
qvirt_memory_trim(void)
{
#ifdef __GLIBC__
    (void)malloc_trim(0);
#endif
}

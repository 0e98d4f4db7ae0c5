/* cachedrop.h: keeping a file out of the page cache while it is written or
 * read, for --bypass-cache of save, restore, managed save and dump.
 *
 * qvirt does not write these files with O_DIRECT (QEMU writes or reads
 * them itself, through a passed descriptor, with unaligned buffers).
 * Instead the pages the file has in the cache are written out and dropped
 * as the job goes, so a large image does not push the host's other data
 * out of the cache. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* Write FD's dirty pages out and drop all its pages from the cache.
 * Returns 0, or -1 with errno set (nothing reported). */
int qvirt_fd_drop_cache(int fd);

/* Drop the cached pages of FD's first LEN bytes (pages that were read;
 * nothing is written). Returns 0, or -1 with errno set. */
int qvirt_fd_drop_cache_range(int fd, off_t len);

/* A thread that drops the cache of FD, which another process (QEMU)
 * writes, each time the file has grown by a few MiB. FD stays the
 * caller's and must stay open until qvirt_cache_dropper_stop(). */
typedef struct _QvirtCacheDropper QvirtCacheDropper;

/* Start the thread; NULL with an error reported. */
QvirtCacheDropper *qvirt_cache_dropper_start(int fd);
/* Stop and join the thread (NULL is fine); the caller drops the cache one
 * last time once the file is complete. */
void qvirt_cache_dropper_stop(QvirtCacheDropper *dropper);

/* files.h: file helpers of the utility layer: crash-safe writes, bounded
 * reads, mkdir -p with an exact mode, and the lock that marks a state folder
 * as owned by one process.
 *
 * Contract: functions that take a path report one error naming that path and
 * return -1 or NULL on failure; output parameters are written only on
 * success. The qvirt_fd_* helpers know no name for their descriptor, so they
 * report nothing and leave errno set for the caller to report. Every
 * descriptor opened here is close-on-exec. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* Replace PATH with LEN bytes of DATA, so that after a crash at any moment
 * PATH holds either the old content or the new one, never a mix. The data
 * goes to a temporary ".<basename>.XXXXXX" in PATH's folder with permission
 * bits MODE (exactly, whatever the umask), is synced, renamed over PATH, and
 * then the folder is synced. On failure the temporary file is removed and the
 * old content is left as it was; only a failing sync of the folder after the
 * rename leaves the new content in place (it is then not known to be durable). */
int qvirt_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* The same for a NUL-terminated TEXT (the NUL is not written). */
int qvirt_file_write_atomic_str(const char *path, const char *text, mode_t mode);

/* Read the whole of PATH into a new NUL-terminated buffer (*ret_data, free
 * with g_free) and its length without the NUL (*ret_len, may be NULL). A file
 * longer than MAX_LEN bytes is an error. Reads until end of file, so files
 * that report size 0 (those in /proc) work. */
int qvirt_file_read_limited(const char *path, size_t max_len, char **ret_data, size_t *ret_len);

/* Create PATH and any missing parent folders, like mkdir -p. Each folder
 * created gets exactly MODE (chmod after mkdir, so the umask does not matter);
 * folders that already exist are left untouched. A component that exists
 * but is not a folder is an error. */
int qvirt_dir_make_parents(const char *path, mode_t mode);

/* Whether PATH exists (symbolic links are followed). Reports nothing. */
gboolean qvirt_file_exists(const char *path);
/* Remove the file PATH; a file that is already gone counts as success. */
int qvirt_file_remove(const char *path);

/* Write all LEN bytes of BUF to FD, retrying after EINTR and short writes.
 * Returns 0, or -1 with errno set (nothing reported). */
int qvirt_fd_write_all(int fd, const void *buf, size_t len);
/* Read from FD into BUF until LEN bytes or end of file, retrying after EINTR.
 * Returns the number of bytes read (less than LEN only at end of file), or
 * -1 with errno set (nothing reported). */
ssize_t qvirt_fd_read_all(int fd, void *buf, size_t len);
/* Close *FD when it is open (>= 0), then set it to -1. Reports nothing. */
void qvirt_fd_close(int *fd);

/* Sync the folder DIR, to make a rename or a new entry in it durable. A file
 * system that cannot sync folders (EINVAL) counts as success. */
int qvirt_dir_sync(const char *dir);

/* The exclusive lock on a state folder: "<dir>/.lock", locked with an open
 * file description lock and holding "<pid> <owner_name>" of the holder. The
 * lock lasts until qvirt_dir_lock_release() or the end of the process. A
 * child made by fork shares it while it keeps the inherited descriptor; exec
 * closes that descriptor. */
typedef struct QvirtDirLock QvirtDirLock;

/* Take the lock of DIR for OWNER_NAME (e.g. "qvirtd"), without waiting. When
 * another holder has it, fails with OPERATION_INVALID naming the folder and
 * the holder's pid. DIR must exist. */
QvirtDirLock *qvirt_dir_lock_acquire(const char *dir, const char *owner_name);
/* Give the lock up and free LOCK; accepts NULL. */
void qvirt_dir_lock_release(QvirtDirLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvirtDirLock, qvirt_dir_lock_release)

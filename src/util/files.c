/* files.c: crash-safe writes, bounded reads, mkdir -p and the state folder
 * lock (see files.h for the contract of each helper). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/files.h"
#include "util/files_priv.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

QVIRT_LOG_INIT("util.files");

/* Test-only crash point, see files_priv.h. */
void (*qvirt_files_test_before_rename)(const char *tmp_path, const char *path);

struct QvirtDirLock {
    int fd;
    char *path; /* the lock file */
};

int
qvirt_fd_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            /* Only possible for odd files; avoid spinning forever. */
            errno = ENOSPC;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t
qvirt_fd_read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;

    if (len > G_MAXSSIZE)
        len = G_MAXSSIZE;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

void
qvirt_fd_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

gboolean
qvirt_file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

int
qvirt_file_remove(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT) {
        qvirt_report_system_error(errno, _("cannot remove '%s'"), path);
        return -1;
    }
    return 0;
}

int
qvirt_dir_sync(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot open folder '%s' to sync it"), dir);
        return -1;
    }
    /* EINVAL: the file system cannot sync folders; there is nothing more to do. */
    if (fsync(fd) < 0 && errno != EINVAL) {
        qvirt_report_system_error(errno, _("cannot sync folder '%s'"), dir);
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int
qvirt_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    int fd;

    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot create a temporary file to write '%s'"), path);
        return -1;
    }
    /* mkostemp creates 0600; set the exact MODE, which the umask cannot change. */
    if (fchmod(fd, mode & 07777) < 0) {
        qvirt_report_system_error(errno, _("cannot set the mode of the new '%s'"), path);
        goto error;
    }
    if (qvirt_fd_write_all(fd, data, len) < 0) {
        qvirt_report_system_error(errno, _("cannot write '%s'"), path);
        goto error;
    }
    if (fsync(fd) < 0) {
        qvirt_report_system_error(errno, _("cannot sync '%s'"), path);
        goto error;
    }
    /* close() can report a late write error (e.g. on NFS). */
    if (close(fd) < 0) {
        fd = -1;
        qvirt_report_system_error(errno, _("cannot write '%s'"), path);
        goto error;
    }
    fd = -1;

    if (qvirt_files_test_before_rename)
        qvirt_files_test_before_rename(tmp, path);

    if (rename(tmp, path) < 0) {
        qvirt_report_system_error(errno, _("cannot replace '%s'"), path);
        goto error;
    }
    /* From here on PATH holds the new content: only its durability can fail. */
    if (qvirt_dir_sync(dir) < 0)
        return -1;
    QVIRT_DEBUG("wrote %zu bytes to '%s'", len, path);
    return 0;

error:
    if (fd >= 0)
        close(fd);
    if (unlink(tmp) < 0 && errno != ENOENT)
        QVIRT_WARN("cannot remove temporary file '%s': %s", tmp, g_strerror(errno));
    return -1;
}

int
qvirt_file_write_atomic_str(const char *path, const char *text, mode_t mode)
{
    return qvirt_file_write_atomic(path, text, strlen(text), mode);
}

int
qvirt_file_read_limited(const char *path, size_t max_len, char **ret_data, size_t *ret_len)
{
    g_autofree char *buf = NULL;
    size_t alloc;
    size_t used = 0;
    size_t hint = 4096;
    struct stat st;
    int fd;

    /* No file is this large; the clamp keeps max_len + 2 from overflowing. */
    if (max_len > G_MAXSSIZE)
        max_len = G_MAXSSIZE;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot open '%s'"), path);
        return -1;
    }
    /* The size is only a hint: /proc files say 0, and files can grow. */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (guint64)st.st_size < G_MAXSSIZE)
        hint = (size_t)st.st_size + 1;

    /* Room for max_len + 1 bytes (to see that the file is too long) and a NUL. */
    alloc = MIN(hint, max_len + 1) + 1;
    buf = g_malloc(alloc);
    for (;;) {
        ssize_t n;

        if (used == alloc - 1) {
            alloc = alloc > (max_len + 2) / 2 ? max_len + 2 : alloc * 2;
            buf = g_realloc(buf, alloc);
        }
        n = read(fd, buf + used, alloc - 1 - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            qvirt_report_system_error(errno, _("cannot read '%s'"), path);
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used > max_len)
            break;
    }
    close(fd);

    if (used > max_len) {
        qvirt_report_error(QVIRT_ERR_READ_FAILED,
                           _("cannot read '%s': the file is larger than the limit of %zu bytes"),
                           path, max_len);
        return -1;
    }
    buf[used] = '\0';
    *ret_data = g_steal_pointer(&buf);
    if (ret_len)
        *ret_len = used;
    return 0;
}

/* One step of qvirt_dir_make_parents: make sure folder PREFIX of PATH exists. */
static int
qvirt_dir_make_one(const char *path, const char *prefix, mode_t mode)
{
    struct stat st;
    int err;

    if (mkdir(prefix, mode) == 0) {
        if (chmod(prefix, mode) < 0) {
            qvirt_report_system_error(errno, _("cannot set the mode of folder '%s'"), prefix);
            return -1;
        }
        return 0;
    }
    /* mkdir may fail with EACCES or EROFS even where the folder exists. */
    err = errno;
    if (stat(prefix, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("cannot create folder '%s': '%s' exists and is not a folder"), path,
                           prefix);
        return -1;
    }
    qvirt_report_system_error(err, _("cannot create folder '%s'"), prefix);
    return -1;
}

int
qvirt_dir_make_parents(const char *path, mode_t mode)
{
    g_autofree char *buf = g_strdup(path);
    size_t len = strlen(buf);

    mode &= 07777;
    if (len == 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("cannot create folder '': the path is empty"));
        return -1;
    }
    /* Visit every prefix that ends a component: "/a", "/a/b", ... The root
     * (a leading "/") and empty components ("a//b", "a/") are skipped. */
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        if (buf[i - 1] == '/')
            continue;
        buf[i] = '\0';
        if (qvirt_dir_make_one(path, buf, mode) < 0)
            return -1;
        if (i < len)
            buf[i] = '/';
    }
    return 0;
}

static int
qvirt_dir_lock_fd(int fd)
{
    struct flock fl = {
        .l_type = F_WRLCK,
        .l_whence = SEEK_SET,
        .l_start = 0,
        .l_len = 0,
    };

    if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
        return 0;
    if (errno != EINVAL)
        return -1;
    /* Kernels before 3.15 lack OFD locks; flock() also belongs to the open
     * file description, so a second open in the same process still conflicts. */
    return flock(fd, LOCK_EX | LOCK_NB);
}

/* Report that DIR is locked by someone else, naming them from the lock file. */
static void
qvirt_dir_lock_report_busy(int fd, const char *dir, const char *owner_name)
{
    char content[256];
    ssize_t n = qvirt_fd_read_all(fd, content, sizeof(content) - 1);
    long long pid = 0;
    const char *holder = owner_name;
    g_autofree char *name = NULL;
    char *end = NULL;

    if (n > 0) {
        content[n] = '\0';
        pid = (long long)g_ascii_strtoll(content, &end, 10);
        if (end == content || pid <= 0)
            pid = 0;
        if (pid > 0 && *end == ' ') {
            name = g_strndup(end + 1, strcspn(end + 1, "\n"));
            g_strstrip(name);
            if (*name)
                holder = name;
        }
    }
    if (pid > 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("state folder '%s' is in use by another %s (pid %lld)"), dir, holder,
                           pid);
    } else {
        /* The holder has just taken the lock and not yet written its pid. */
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("state folder '%s' is in use by another %s"), dir, holder);
    }
}

QvirtDirLock *
qvirt_dir_lock_acquire(const char *dir, const char *owner_name)
{
    g_autofree char *path = g_build_filename(dir, ".lock", NULL);
    g_autofree char *content = NULL;
    QvirtDirLock *lock;
    int fd;

    if (!owner_name)
        owner_name = "process";
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot open lock file '%s'"), path);
        return NULL;
    }
    if (qvirt_dir_lock_fd(fd) < 0) {
        if (errno == EAGAIN || errno == EACCES || errno == EWOULDBLOCK)
            qvirt_dir_lock_report_busy(fd, dir, owner_name);
        else
            qvirt_report_system_error(errno, _("cannot lock '%s'"), path);
        close(fd);
        return NULL;
    }

    content = g_strdup_printf("%lld %s\n", (long long)getpid(), owner_name);
    if (ftruncate(fd, 0) < 0 || qvirt_fd_write_all(fd, content, strlen(content)) < 0) {
        qvirt_report_system_error(errno, _("cannot write lock file '%s'"), path);
        close(fd);
        return NULL;
    }

    lock = g_new0(QvirtDirLock, 1);
    lock->fd = fd;
    lock->path = g_steal_pointer(&path);
    QVIRT_DEBUG("locked state folder '%s' for %s", dir, owner_name);
    return lock;
}

void
qvirt_dir_lock_release(QvirtDirLock *lock)
{
    if (!lock)
        return;
    /* Clear the pid while still holding the lock; the file itself stays, since
     * unlinking a lock file lets two processes lock two different files. */
    if (ftruncate(lock->fd, 0) < 0)
        QVIRT_WARN("cannot clear lock file '%s': %s", lock->path, g_strerror(errno));
    close(lock->fd);
    QVIRT_DEBUG("unlocked '%s'", lock->path);
    g_free(lock->path);
    g_free(lock);
}

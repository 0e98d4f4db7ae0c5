/* qemu_migration_cookie.h: the migration cookie, the XML document
 * (<qemu-migration>) each side of a migration hands the other between the
 * five steps.
 *
 * Contract:
 * - Element and attribute names follow libvirt's cookie, so cookies can
 *   later interoperate with libvirt: <name>, <uuid>, <hostname>,
 *   <hostuuid>, then one <feature name='X' mandatory='yes'/> per section the
 *   reader must understand, then the sections: <lockstate>, <persistent>
 *   (a <domain>), <nbd port=''> with <disk target='' capacity=''/>,
 *   <statistics>, <capabilities> with <cap name='' auto='yes|no'/>, <cpu>.
 * - Parsing is strict and never crashes: a document that is not a cookie,
 *   a bad UUID or number, a missing <name>/<uuid>/<hostname>/<hostuuid>, a
 *   mandatory feature the reader did not ask for, or a cookie from a host
 *   with the reader's own host UUID ("migration to the same host") each give
 *   one clear error (OPERATION_INVALID for the same host and for an
 *   unexpected mandatory feature, XML_ERROR for the rest) and NULL.
 * - Sizes are bounded by the RPC limit (4 MiB).
 * - The persistent <domain> and the <cpu> are kept as XML text: the element
 *   as it came, re-indented to start at column 0 and written with libvirt's
 *   quoting, no trailing newline. Namespace prefixes declared above the
 *   element are declared on it, so the text parses on its own.
 * - A cookie from libvirt parses: every <feature> without mandatory='no' is
 *   mandatory (libvirt writes only mandatory ones, with no attribute), and
 *   elements and <statistics> children qvirt does not know are ignored.
 * - format(parse(x)) parses again to the same cookie and formats to the same
 *   text (the fixed point the tests and the fuzzer check). */
#pragma once

#include <glib.h>

#include "conf/domain_job.h"
#include "util/uuid.h"

/* The largest cookie qemu_migration_cookie_parse accepts (the RPC limit). */
#define QEMU_MIGRATION_COOKIE_MAX_LEN (4 * 1024 * 1024)

/* The sections, as bits. */
typedef enum {
    QEMU_MIGRATION_COOKIE_LOCKSTATE = 1 << 0,
    QEMU_MIGRATION_COOKIE_PERSISTENT = 1 << 1,
    QEMU_MIGRATION_COOKIE_NBD = 1 << 2,
    QEMU_MIGRATION_COOKIE_STATS = 1 << 3,
    QEMU_MIGRATION_COOKIE_CAPS = 1 << 4,
    QEMU_MIGRATION_COOKIE_CPU = 1 << 5,
    QEMU_MIGRATION_COOKIE_ALL = (1 << 6) - 1,
} QemuMigrationCookieSection;

/* One disk the destination exports over NBD (or the source asks for). */
typedef struct {
    char *target;                /* "vda" */
    unsigned long long capacity; /* bytes; 0 when unknown */
} QemuMigrationCookieDisk;

/* One migration capability the source enabled ("xbzrle", ...). */
typedef struct {
    char *name;
    gboolean enabled;
    gboolean automatic; /* auto='yes': set by qvirt, not asked by the user */
} QemuMigrationCookieCap;

typedef struct {
    unsigned int sections;  /* QemuMigrationCookieSection bits present */
    unsigned int mandatory; /* sections marked with <feature mandatory='yes'/> */

    char *name;
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    char *hostname;
    unsigned char host_uuid[QVIRT_UUID_BUFLEN];

    /* LOCKSTATE */
    char *lock_driver; /* may be NULL */
    char *lock_state;  /* opaque text, may be NULL */

    /* PERSISTENT: the inactive definition as XML text (a <domain> element) */
    char *persistent_xml;

    /* NBD */
    int nbd_port;         /* 0: not given */
    GPtrArray *nbd_disks; /* of QemuMigrationCookieDisk *, never NULL */

    /* STATS: the finished job's statistics: times and sizes as libvirt's
     * <statistics> children (started, time_elapsed, downtime when set,
     * setup_time when not 0, memory_*, disk_*). Parsing sets status to
     * COMPLETED and data_* to the sums of memory and disk; other fields stay 0. */
    DomainJobStats stats;

    /* CAPS: written as <cap name='' auto='yes|no'/>, plus enabled='no' for
     * a capability that is reported but off */
    GPtrArray *caps; /* of QemuMigrationCookieCap *, never NULL */

    /* CPU: the guest CPU definition as XML text (a <cpu> element) */
    char *cpu_xml;
} QemuMigrationCookie;

/* An empty cookie for domain NAME/UUID from host HOSTNAME/HOST_UUID (a NULL
 * UUID is all zeros). */
QemuMigrationCookie *qemu_migration_cookie_new(const char *name, const unsigned char *uuid,
                                               const char *hostname,
                                               const unsigned char *host_uuid);
void qemu_migration_cookie_free(QemuMigrationCookie *cookie);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMigrationCookie, qemu_migration_cookie_free)

/* Add a disk to the NBD section (and set the section bit); a disk with the
 * same TARGET gets the new capacity instead. add_cap likewise sets the CAPS
 * bit and replaces a capability of the same name. */
void qemu_migration_cookie_add_nbd_disk(QemuMigrationCookie *cookie, const char *target,
                                        unsigned long long capacity);
void qemu_migration_cookie_add_cap(QemuMigrationCookie *cookie, const char *name, gboolean enabled,
                                   gboolean automatic);
/* The NBD disk named TARGET, or NULL. */
const QemuMigrationCookieDisk *
qemu_migration_cookie_find_nbd_disk(const QemuMigrationCookie *cookie, const char *target);

/* The XML text (a new string). Only sections in cookie->sections are
 * written (PERSISTENT and CPU only with their text); each section in
 * cookie->mandatory gets a <feature name='X' mandatory='yes'/>, present or
 * not. Never fails. */
char *qemu_migration_cookie_format(const QemuMigrationCookie *cookie);

/* Parse DATA (LEN bytes, need not be NUL-terminated; LEN 0 or DATA NULL is
 * an empty cookie: XML_ERROR "missing migration cookie"). ACCEPTED: the
 * sections the caller understands; a mandatory one outside it is refused.
 * LOCAL_HOST_UUID: the reader's host UUID; equal to the cookie's is
 * refused (NULL skips the check). Sections not in ACCEPTED are ignored, not
 * even checked. LEN may count a terminating NUL (libvirt sends one); a NUL
 * inside, or more than QEMU_MIGRATION_COOKIE_MAX_LEN bytes, is an XML_ERROR.
 * On success, sections holds the accepted sections present, and mandatory
 * the mandatory features. */
QemuMigrationCookie *qemu_migration_cookie_parse(const char *data, int len, unsigned int accepted,
                                                 const unsigned char *local_host_uuid);

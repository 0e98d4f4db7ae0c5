/* hostid.c: the host UUID (see hostid.h): set by the daemon, else read from
 * the machine id, else derived from the host name. */
#include <config.h>

#include <string.h>

#include "driver/hostid.h"
#include "driver/hostid_priv.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

QVIRT_LOG_INIT("driver.hostid");

#define HOSTID_MACHINE_ID_PATH "/etc/machine-id"

static QvirtMutex hostid_lock = {PTHREAD_MUTEX_INITIALIZER};
static unsigned char hostid_uuid[QVIRT_UUID_BUFLEN];
static gboolean hostid_have;         /* hostid_uuid holds the answer */
static char *hostid_machine_id_path; /* tests: NULL for the real one */
static char *hostid_hostname;        /* tests: NULL for the real one */

int
qv_host_uuid_set(const unsigned char *uuid)
{
    if (uuid && qvirt_uuid_is_nil(uuid)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("the host UUID must not be all zero"));
        return -1;
    }
    qvirt_mutex_lock(&hostid_lock);
    if (uuid) {
        memcpy(hostid_uuid, uuid, QVIRT_UUID_BUFLEN);
        hostid_have = TRUE;
    } else {
        hostid_have = FALSE;
    }
    qvirt_mutex_unlock(&hostid_lock);
    return 0;
}

/* The machine id of PATH as a UUID: 32 hex digits (then optional
 * whitespace), not all zero. FALSE when there is none. */
static gboolean
hostid_from_machine_id(const char *path, unsigned char *ret_uuid)
{
    g_autofree char *text = NULL;
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    const char *s;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return FALSE;
    s = g_strstrip(text);
    if (strlen(s) != 32)
        return FALSE;
    for (int i = 0; i < QVIRT_UUID_BUFLEN; i++) {
        int hi = g_ascii_xdigit_value(s[2 * i]);
        int lo = g_ascii_xdigit_value(s[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return FALSE;
        uuid[i] = (unsigned char)(hi << 4 | lo);
    }
    if (qvirt_uuid_is_nil(uuid))
        return FALSE;
    memcpy(ret_uuid, uuid, QVIRT_UUID_BUFLEN);
    return TRUE;
}

/* A UUID derived from NAME: the first 16 bytes of its SHA-256 with the
 * version (5) and RFC 4122 variant bits set. */
static void
hostid_from_name(const char *name, unsigned char *ret_uuid)
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    guint8 digest[32];
    gsize len = sizeof(digest);

    g_checksum_update(sum, (const guchar *)"qvirt-host:", -1);
    g_checksum_update(sum, (const guchar *)name, -1);
    g_checksum_get_digest(sum, digest, &len);
    digest[6] = (guint8)((digest[6] & 0x0f) | 0x50);
    digest[8] = (guint8)((digest[8] & 0x3f) | 0x80);
    memcpy(ret_uuid, digest, QVIRT_UUID_BUFLEN);
}

int
qv_host_uuid_get(unsigned char *ret_uuid)
{
    qvirt_mutex_lock(&hostid_lock);
    if (!hostid_have) {
        const char *path = hostid_machine_id_path ? hostid_machine_id_path : HOSTID_MACHINE_ID_PATH;

        if (hostid_from_machine_id(path, hostid_uuid)) {
            QVIRT_DEBUG("host UUID from %s", path);
        } else {
            const char *name = hostid_hostname ? hostid_hostname : g_get_host_name();

            QVIRT_DEBUG("no usable machine id in %s; host UUID from the host name '%s'", path,
                        name);
            hostid_from_name(name, hostid_uuid);
        }
        hostid_have = TRUE;
    }
    memcpy(ret_uuid, hostid_uuid, QVIRT_UUID_BUFLEN);
    qvirt_mutex_unlock(&hostid_lock);
    return 0;
}

void
qv_host_uuid_reset_for_tests(const char *machine_id_path, const char *hostname)
{
    qvirt_mutex_lock(&hostid_lock);
    hostid_have = FALSE;
    memset(hostid_uuid, 0, sizeof(hostid_uuid));
    g_free(hostid_machine_id_path);
    g_free(hostid_hostname);
    hostid_machine_id_path = g_strdup(machine_id_path);
    hostid_hostname = g_strdup(hostname);
    qvirt_mutex_unlock(&hostid_lock);
}

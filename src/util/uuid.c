/* uuid.c: parsing, formatting and generation of UUIDs (see uuid.h). */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "util/error.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

int
qvirt_uuid_parse(const char *str, unsigned char ret_uuid[QVIRT_UUID_BUFLEN])
{
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    const char *cur = str;

    if (!str) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("missing UUID"));
        return -1;
    }

    while (g_ascii_isspace(*cur))
        cur++;

    for (size_t i = 0; i < QVIRT_UUID_BUFLEN; i++) {
        int hi, lo;

        /* One optional '-' between two bytes, never before the first. */
        if (i > 0 && *cur == '-')
            cur++;
        hi = g_ascii_xdigit_value(cur[0]);
        if (hi < 0)
            goto invalid;
        lo = g_ascii_xdigit_value(cur[1]);
        if (lo < 0)
            goto invalid;
        uuid[i] = (unsigned char)(hi << 4 | lo);
        cur += 2;
    }

    while (g_ascii_isspace(*cur))
        cur++;
    if (*cur != '\0')
        goto invalid;

    memcpy(ret_uuid, uuid, QVIRT_UUID_BUFLEN);
    return 0;

invalid:
    qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                       _("invalid UUID '%s': expected 32 hex digits as in "
                         "'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'"),
                       str);
    return -1;
}

void
qvirt_uuid_format(const unsigned char uuid[QVIRT_UUID_BUFLEN],
                  char ret_str[QVIRT_UUID_STRING_BUFLEN])
{
    static const char hex[] = "0123456789abcdef";
    char *out = ret_str;

    for (size_t i = 0; i < QVIRT_UUID_BUFLEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *out++ = '-';
        *out++ = hex[uuid[i] >> 4];
        *out++ = hex[uuid[i] & 0x0f];
    }
    *out = '\0';
}

void
qvirt_uuid_generate(unsigned char ret_uuid[QVIRT_UUID_BUFLEN])
{
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    size_t have = 0;

    while (have < sizeof(uuid)) {
        ssize_t n = getrandom(uuid + have, sizeof(uuid) - have, 0);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        have += (size_t)n;
    }
    /* Without getrandom (an old kernel or a seccomp filter), GLib's generator
     * is seeded from /dev/urandom, which is good enough for identifiers. */
    for (; have < sizeof(uuid); have++)
        uuid[have] = (unsigned char)g_random_int_range(0, 256);

    uuid[6] = (uuid[6] & 0x0f) | 0x40; /* version 4: random */
    uuid[8] = (uuid[8] & 0x3f) | 0x80; /* variant 10: RFC 4122 */
    memcpy(ret_uuid, uuid, QVIRT_UUID_BUFLEN);
}

gboolean
qvirt_uuid_is_nil(const unsigned char uuid[QVIRT_UUID_BUFLEN])
{
    for (size_t i = 0; i < QVIRT_UUID_BUFLEN; i++) {
        if (uuid[i] != 0)
            return FALSE;
    }
    return TRUE;
}

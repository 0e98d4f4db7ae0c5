/* uuid.h: parsing, formatting and generation of 16-byte UUIDs.
 *
 * Contract: qvirt_uuid_parse accepts the canonical 8-4-4-4-12 form in either
 * case, and libvirt's lenient form: 32 hex digits with an optional single '-'
 * between any two bytes, surrounded by optional whitespace. Anything else is
 * an INVALID_ARG error naming the string, and the output is left untouched.
 * qvirt_uuid_format always writes the lowercase canonical form.
 * qvirt_uuid_generate makes a random version 4 UUID (RFC 4122 variant). */
#pragma once

#include <glib.h>

#define QVIRT_UUID_BUFLEN 16
#define QVIRT_UUID_STRING_BUFLEN 37 /* 36 characters and the NUL */

/* Parse STR into RET_UUID. Returns 0, or -1 with INVALID_ARG reported. */
int qvirt_uuid_parse(const char *str, unsigned char ret_uuid[QVIRT_UUID_BUFLEN]);

/* Write the lowercase canonical form of UUID, NUL-terminated, into RET_STR. */
void qvirt_uuid_format(const unsigned char uuid[QVIRT_UUID_BUFLEN],
                       char ret_str[QVIRT_UUID_STRING_BUFLEN]);

/* Fill RET_UUID with a new random version 4 UUID. Never fails. */
void qvirt_uuid_generate(unsigned char ret_uuid[QVIRT_UUID_BUFLEN]);

/* Whether every byte of UUID is zero. */
gboolean qvirt_uuid_is_nil(const unsigned char uuid[QVIRT_UUID_BUFLEN]);

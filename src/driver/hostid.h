/* hostid.h: the host UUID of this process (the daemon's): what migration
 * cookies carry as "hostuuid", so that a migration to the same host can be
 * told apart and refused.
 *
 * Contract:
 * - qv_host_uuid_set() fixes the UUID (the daemon calls it at start with
 *   the host_uuid key of qvirtd.conf). A nil UUID is INVALID_ARG; NULL
 *   forgets a UUID set before.
 * - qv_host_uuid_get() never fails: the UUID set, else the one read from
 *   /etc/machine-id (32 hex digits, not all zero), else one derived from the
 *   host name (a SHA-256 of it, shaped as a version 5 UUID). The fallback is
 *   computed once and then kept.
 * - Both are safe from any thread. */
#pragma once

/* 0, or -1 with INVALID_ARG for a nil UUID. */
int qv_host_uuid_set(const unsigned char *uuid);
/* Writes 16 bytes into RET_UUID; returns 0. */
int qv_host_uuid_get(unsigned char *ret_uuid);

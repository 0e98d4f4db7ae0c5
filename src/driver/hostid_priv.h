/* hostid_priv.h: test access to the host UUID's fallbacks (hostid.h). */
#pragma once

/* Forget every UUID (set or computed) and take the fallback from
 * MACHINE_ID_PATH (NULL: /etc/machine-id) and HOSTNAME (NULL: the real
 * host name) from now on. */
void qv_host_uuid_reset_for_tests(const char *machine_id_path, const char *hostname);

/* files_priv.h: test-only access to files.c; nothing outside tests includes it.
 *
 * qvirt_files_test_before_rename, when set, is called by
 * qvirt_file_write_atomic() after the temporary file TMP_PATH has been fully
 * written and synced and before it is renamed over PATH: the crash point
 * where a test can kill the writer and check that PATH kept its old content. */
#pragma once

extern void (*qvirt_files_test_before_rename)(const char *tmp_path, const char *path);

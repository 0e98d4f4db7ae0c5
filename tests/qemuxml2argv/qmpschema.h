/* qmpschema.h: check JSON values against a recorded QMP schema (the reply
 * to query-qmp-schema, tests/qemucapabilities/qmp-schema.json), as QEMU's
 * QAPI input visitor would: every member known, every required member
 * present, types, enum values, flat unions by their tag, alternates.
 * Test code only. */
#pragma once

#include <glib.h>

#include "util/json.h"

typedef struct _QmpSchema QmpSchema;

/* Load the schema file PATH; aborts the test on a bad file. */
QmpSchema *qmp_schema_load(const char *path);
void qmp_schema_free(QmpSchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QmpSchema, qmp_schema_free)

/* Check VALUE as the arguments of COMMAND (e.g. "blockdev-add"). TRUE, or
 * FALSE with *ret_error (new string) saying which member is wrong and why. */
gboolean qmp_schema_check_command_args(QmpSchema *schema, const char *command, QvirtJson *value,
                                       char **ret_error);

/* The values of the enum that tags the union MEMBER of COMMAND's arguments
 * (e.g. "chardev-add", "backend": the chardev backend kinds); NULL when
 * there is no such member. Borrowed strings, new array. */
GPtrArray *qmp_schema_union_kinds(QmpSchema *schema, const char *command, const char *member);

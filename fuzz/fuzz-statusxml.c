/* fuzz-statusxml.c: libFuzzer target for the status XML parser.
 *
 * Feeds arbitrary bytes to domain_status_parse_string(). Whatever the input,
 * the parser must not crash or leak; and a document it accepts must format
 * back to text that parses again and formats identically (the status XML is
 * canonical), otherwise the target aborts. Migration phases are registered
 * as the QEMU driver registers them, so <job> phases are reachable. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_job.h"
#include "conf/domain_status.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_migration_phases[] = {
    "none",           "begin3",         "perform3",       "perform3_done",   "confirm3_cancelled",
    "confirm3",       "prepare",        "finish3",        "postcopy_failed", "begin_resume",
    "perform_resume", "confirm_resume", "prepare_resume", "finish_resume",
};

static void
fuzz_init_once(void)
{
    static gboolean done;

    if (done)
        return;
    done = TRUE;
    /* Rejected inputs log errors; keep the fuzzer's output readable. */
    qvirt_log_set_outputs("4:file:/dev/null");
    domain_job_register_phases(DOMAIN_ASYNC_JOB_MIGRATION_OUT, fuzz_migration_phases,
                               G_N_ELEMENTS(fuzz_migration_phases), NULL);
    domain_job_register_phases(DOMAIN_ASYNC_JOB_MIGRATION_IN, fuzz_migration_phases,
                               G_N_ELEMENTS(fuzz_migration_phases), NULL);
}

static char *
fuzz_format(DomainObj *vm, const DomainStatusExtra *extra)
{
    char *out;

    domain_obj_lock(vm);
    out = domain_status_format(vm, extra, NULL);
    domain_obj_unlock(vm);
    if (!out)
        abort();
    return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = g_strndup((const char *)data, size);
    g_autoptr(DomainObj) vm = NULL;
    g_autoptr(DomainObj) again = NULL;
    g_autoptr(DomainStatusExtra) extra = NULL;
    g_autoptr(DomainStatusExtra) extra2 = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    fuzz_init_once();
    if (!(vm = domain_status_parse_string(xml, "fuzz.xml", NULL, &extra)))
        return 0;
    out = fuzz_format(vm, extra);
    if (!(again = domain_status_parse_string(out, "fuzz-output.xml", NULL, &extra2)))
        abort();
    out2 = fuzz_format(again, extra2);
    if (strcmp(out, out2) != 0)
        abort();
    return 0;
}

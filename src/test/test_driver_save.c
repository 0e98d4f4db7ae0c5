/* test_driver_save.c: save, restore, managed save and core dump of the test
 * driver's in-memory domains, as libvirt's test driver has them.
 *
 * Contract:
 * - Save writes a small image (written to a temporary name and renamed):
 *   the header line "QVIRT-TEST-SAVE 1 running|paused LENGTH\n", then
 *   LENGTH bytes of the domain's inactive XML (or of the caller's
 *   alternative XML, which must name the same domain). The domain then
 *   stops with reason saved (event STOPPED_SAVED).
 * - Restore reads such an image back: a file without the header is
 *   refused as foreign, another version as unsupported, a short or long
 *   XML part as truncated or corrupt; nothing starts then. The domain
 *   starts with reason restored (event STARTED_RESTORED), paused when the
 *   image says so or with QV_DOMAIN_SAVE_PAUSED, running with
 *   QV_DOMAIN_SAVE_RUNNING. An alternative XML must name the same domain.
 * - Managed save keeps only a flag (and the paused state) in the domain's
 *   private data: starting the domain restores from it and clears it (see
 *   test_driver.c, which also makes undefine refuse while it exists unless
 *   QV_DOMAIN_UNDEFINE_MANAGED_SAVE). Only persistent domains have one.
 * - A core dump writes a small placeholder file (RAW format only); with
 *   QV_DUMP_CRASH the domain then stops with reason crashed. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "conf/domain_conf.h"
#include "conf/domain_state.h"
#include "driver/api.h"
#include "driver/save.h"
#include "test/test_driver_priv.h"
#include "util/error.h"
#include "util/files.h"
#include "util/i18n.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

QVIRT_LOG_INIT("test.save");

#define TEST_SAVE_MAGIC "QVIRT-TEST-SAVE"
#define TEST_SAVE_VERSION 1
/* An image is a header and an XML: anything larger is not one of ours. */
#define TEST_SAVE_MAX_LEN (16 * 1024 * 1024)

#define TEST_SAVE_FLAGS                                                                            \
    (QV_DOMAIN_SAVE_BYPASS_CACHE | QV_DOMAIN_SAVE_RUNNING | QV_DOMAIN_SAVE_PAUSED)

/* ---- the image ---- */

/* Whether the guest is to be paused after a restore: the flags win over
 * the state saved. */
static gboolean
test_save_paused(unsigned int flags, gboolean saved_paused)
{
    if (flags & QV_DOMAIN_SAVE_PAUSED)
        return TRUE;
    if (flags & QV_DOMAIN_SAVE_RUNNING)
        return FALSE;
    return saved_paused;
}

/* DXML, when given, must define the domain of DEF (same name and UUID);
 * the XML to use (a new string): DXML as parsed, or DEF's. */
static char *
test_save_choose_xml(const DomainDef *def, const char *dxml)
{
    g_autoptr(DomainDef) alt = NULL;

    if (!dxml)
        return domain_def_format(def, DOMAIN_DEF_FORMAT_INACTIVE);
    if (!(alt = test_parse_domain_xml(dxml)))
        return NULL;
    if (strcmp(alt->name, def->name) != 0 || memcmp(alt->uuid, def->uuid, 16) != 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("the alternative XML defines domain '%s', not '%s'"), alt->name,
                           def->name);
        return NULL;
    }
    return domain_def_format(alt, DOMAIN_DEF_FORMAT_INACTIVE);
}

static int
test_save_write(const char *path, const char *xml, gboolean paused)
{
    g_autofree char *image = g_strdup_printf("%s %d %s %zu\n%s", TEST_SAVE_MAGIC, TEST_SAVE_VERSION,
                                             paused ? "paused" : "running", strlen(xml), xml);

    return qvirt_file_write_atomic_str(path, image, 0600);
}

/* Read the image PATH: its XML (*RET_XML, a new string) and whether the
 * guest was paused. */
static int
test_save_read(const char *path, char **ret_xml, gboolean *ret_paused)
{
    g_autofree char *data = NULL;
    size_t len = 0;
    const char *nl;
    char state[16] = "";
    int version = 0;
    unsigned long long xml_len = 0;
    size_t have;

    if (qvirt_file_read_limited(path, TEST_SAVE_MAX_LEN, &data, &len) < 0)
        return -1;
    if (!g_str_has_prefix(data, TEST_SAVE_MAGIC " ") || !(nl = memchr(data, '\n', len))) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("'%s' is not a save image of the test driver"), path);
        return -1;
    }
    if (sscanf(data + strlen(TEST_SAVE_MAGIC), " %d %15s %llu", &version, state, &xml_len) != 3 ||
        (strcmp(state, "running") != 0 && strcmp(state, "paused") != 0)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("save image '%s' has a corrupt header"),
                           path);
        return -1;
    }
    if (version != TEST_SAVE_VERSION) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("save image '%s' has version %d; this driver reads version %d"), path,
                           version, TEST_SAVE_VERSION);
        return -1;
    }
    have = len - (size_t)(nl + 1 - data);
    if (have < xml_len) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("save image '%s' is truncated: %zu of %llu bytes of XML"), path, have,
                           xml_len);
        return -1;
    }
    if (have > xml_len) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("save image '%s' is corrupt: %zu bytes after the XML"), path,
                           have - (size_t)xml_len);
        return -1;
    }
    *ret_xml = g_strndup(nl + 1, xml_len);
    *ret_paused = strcmp(state, "paused") == 0;
    return 0;
}

/* ---- save and restore ---- */

int
test_domain_save_flags(QvDomain *dom, const char *to, const char *dxml, unsigned int flags)
{
    TestDriver *driver = test_driver_from_conn(dom->conn);
    g_autofree char *xml = NULL;
    DomainObj *vm;
    int ret = -1;

    QV_CHECK_FLAGS(flags, TEST_SAVE_FLAGS, -1);
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_begin(vm, DOMAIN_JOB_MODIFY) < 0)
        goto out;
    if (test_domain_check_active(vm) < 0)
        goto endjob;
    if (!(xml = test_save_choose_xml(domain_obj_get_persistent_def(vm), dxml)))
        goto endjob;
    if (test_save_write(to, xml, test_save_paused(flags, vm->state == DOMAIN_STATE_PAUSED)) < 0)
        goto endjob;
    QVIRT_INFO("domain '%s' saved to '%s'", vm->def->name, to);
    test_domain_stop_for(driver, dom, vm, DOMAIN_SHUTOFF_SAVED, QV_DOMAIN_EVENT_STOPPED_SAVED);
    ret = 0;
endjob:
    domain_job_end(vm);
out:
    test_domain_obj_end(vm);
    return ret;
}

int
test_domain_restore_flags(QvConnect *conn, const char *from, const char *dxml, unsigned int flags)
{
    TestDriver *driver = test_driver_from_conn(conn);
    g_autoptr(DomainDef) def = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *use_xml = NULL;
    gboolean paused = FALSE;
    DomainObj *vm;
    int id;

    QV_CHECK_FLAGS(flags, TEST_SAVE_FLAGS, -1);
    if (test_save_read(from, &xml, &paused) < 0)
        return -1;
    if (!(def = test_parse_domain_xml(xml)))
        return -1;
    if (dxml) {
        if (!(use_xml = test_save_choose_xml(def, dxml)))
            return -1;
        domain_def_free(g_steal_pointer(&def));
        if (!(def = test_parse_domain_xml(use_xml)))
            return -1;
    }
    id = domain_obj_list_next_id(driver->domains);
    vm = domain_obj_list_add(driver->domains, &def,
                             DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL);
    if (!vm)
        return -1;
    test_domain_private_init(vm);
    test_domain_start_reason(vm, id, test_save_paused(flags, paused), DOMAIN_RUNNING_RESTORED,
                             QV_DOMAIN_EVENT_STARTED_RESTORED);
    QVIRT_INFO("domain '%s' restored from '%s'", vm->def->name, from);
    test_domain_obj_end(vm);
    return 0;
}

/* ---- managed save ---- */

int
test_domain_managed_save(QvDomain *dom, unsigned int flags)
{
    TestDriver *driver = test_driver_from_conn(dom->conn);
    TestDomainPrivate *priv;
    DomainObj *vm;
    int ret = -1;

    QV_CHECK_FLAGS(flags, TEST_SAVE_FLAGS, -1);
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_begin(vm, DOMAIN_JOB_MODIFY) < 0)
        goto out;
    if (test_domain_check_active(vm) < 0)
        goto endjob;
    if (!vm->persistent) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("cannot do managed save for transient domain '%s'"), vm->def->name);
        goto endjob;
    }
    priv = test_domain_private(vm);
    priv->managed_save_paused = test_save_paused(flags, vm->state == DOMAIN_STATE_PAUSED);
    priv->managed_save = TRUE;
    test_domain_stop_for(driver, dom, vm, DOMAIN_SHUTOFF_SAVED, QV_DOMAIN_EVENT_STOPPED_SAVED);
    ret = 0;
endjob:
    domain_job_end(vm);
out:
    test_domain_obj_end(vm);
    return ret;
}

int
test_domain_has_managed_save_image(QvDomain *dom, unsigned int flags)
{
    DomainObj *vm;
    int ret;

    QV_CHECK_FLAGS(flags, 0, -1);
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    ret = test_domain_private(vm)->managed_save ? 1 : 0;
    test_domain_obj_end(vm);
    return ret;
}

int
test_domain_managed_save_remove(QvDomain *dom, unsigned int flags)
{
    DomainObj *vm;
    int ret = -1;

    QV_CHECK_FLAGS(flags, 0, -1);
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_begin(vm, DOMAIN_JOB_MODIFY) < 0)
        goto out;
    test_domain_private(vm)->managed_save = FALSE;
    ret = 0;
    domain_job_end(vm);
out:
    test_domain_obj_end(vm);
    return ret;
}

/* ---- core dump ---- */

int
test_domain_core_dump_with_format(QvDomain *dom, const char *to, unsigned int dumpformat,
                                  unsigned int flags)
{
    TestDriver *driver = test_driver_from_conn(dom->conn);
    g_autofree char *text = NULL;
    DomainObj *vm;
    int ret = -1;

    QV_CHECK_FLAGS(flags, QV_DUMP_ALL, -1);
    if (dumpformat != QV_DOMAIN_CORE_DUMP_FORMAT_RAW) {
        qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED,
                           _("the test driver writes only ELF (raw) dumps, not format %u"),
                           dumpformat);
        return -1;
    }
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_begin(vm, DOMAIN_JOB_MODIFY) < 0)
        goto out;
    if (test_domain_check_active(vm) < 0)
        goto endjob;
    text = g_strdup_printf("qvirt test driver core dump of domain '%s'\n", vm->def->name);
    if (qvirt_file_write_atomic_str(to, text, 0600) < 0)
        goto endjob;
    if (flags & QV_DUMP_CRASH) {
        test_domain_stop_for(driver, dom, vm, DOMAIN_SHUTOFF_CRASHED,
                             QV_DOMAIN_EVENT_STOPPED_CRASHED);
    }
    ret = 0;
endjob:
    domain_job_end(vm);
out:
    test_domain_obj_end(vm);
    return ret;
}

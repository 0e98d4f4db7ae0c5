/* fakedriver.c: the "fake" and "fakeremote" test drivers (see fakedriver.h). */
#include <config.h>

#include <string.h>

#include "fakedriver.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

FakeCounters fake_counters;

void
fake_reset(void)
{
    memset(&fake_counters, 0, sizeof(fake_counters));
}

void
fake_uuid(const char *name, unsigned char ret_uuid[16])
{
    guint hash = g_str_hash(name);

    memset(ret_uuid, 0x5a, 16);
    memcpy(ret_uuid, &hash, sizeof(hash));
}

static int
fake_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    if (strcmp(uri->driver, "fake") != 0)
        return QVIRT_DRV_OPEN_DECLINED;
    if (strcmp(uri->path, "/fail") == 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "fake refuses '%s'", uri->path);
        return QVIRT_DRV_OPEN_ERROR;
    }
    if (strcmp(uri->path, "/silent") == 0)
        return QVIRT_DRV_OPEN_ERROR; /* forgets to report */
    fake_counters.opens++;
    conn->private_data = (gpointer) "fake-private";
    return QVIRT_DRV_OPEN_SUCCESS;
}

static int
fake_connect_close(QvConnect *conn)
{
    fake_counters.closes++;
    return 0;
}

static char *
fake_connect_uri_probe(void)
{
    return g_strdup("fake:///ok");
}

static QvDomain *
fake_domain_lookup_by_name(QvConnect *conn, const char *name)
{
    unsigned char uuid[16];

    if (strcmp(name, "missing") == 0) {
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching name '%s'", name);
        return NULL;
    }
    fake_uuid(name, uuid);
    return qv_domain_new(conn, name, uuid, 7);
}

static int
fake_domain_suspend(QvDomain *dom)
{
    fake_counters.suspends++;
    return 0;
}

/* Fails without reporting anything: the framework must fill in an error. */
static int
fake_domain_destroy_flags(QvDomain *dom, unsigned int flags)
{
    fake_counters.destroys++;
    fake_counters.last_flags = flags;
    return strcmp(dom->name, "silent") == 0 ? -1 : 0;
}

static char *
fake_domain_get_xml_desc(QvDomain *dom, unsigned int flags)
{
    fake_counters.last_flags = flags;
    return g_strdup_printf("<domain><name>%s</name></domain>", dom->name);
}

const HypervisorDriver fake_driver = {
    .name = "fake",
    .connect_uri_probe = fake_connect_uri_probe,
    .connect_open = fake_connect_open,
    .connect_close = fake_connect_close,
    .domain_lookup_by_name = fake_domain_lookup_by_name,
    .domain_suspend = fake_domain_suspend,
    .domain_destroy_flags = fake_domain_destroy_flags,
    .domain_get_xml_desc = fake_domain_get_xml_desc,
};

static int
fake_remote_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    conn->private_data = (gpointer) "remote-private";
    return QVIRT_DRV_OPEN_SUCCESS;
}

static const char *
fake_remote_get_type(QvConnect *conn)
{
    return "REMOTE";
}

const HypervisorDriver fake_remote_driver = {
    .name = "fakeremote",
    .remote = TRUE,
    .connect_open = fake_remote_connect_open,
    .connect_get_type = fake_remote_get_type,
};

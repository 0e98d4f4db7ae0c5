/* test_driver_priv.h: what the files of the test driver share: the driver
 * state, the per-domain private data and helpers. Not for other layers. */
#pragma once

#include "conf/capabilities.h"
#include "conf/domain_job.h"
#include "conf/domain_obj_list.h"
#include "driver/driver.h"
#include "driver/event.h"
#include "util/error.h"
#include "util/threads.h"

/* The state behind test:///default, shared by every connection to it and
 * freed when the last one closes. */
typedef struct {
    DomainObjList *domains;
    Capabilities *caps;
    int conns; /* under test_default_lock (test_driver.c) */
    QvirtMutex jobs_lock;
    GPtrArray *job_threads; /* GThread *, joined when the state is freed */
} TestDriver;

typedef enum {
    TEST_FAKE_JOB_IDLE = 0,
    TEST_FAKE_JOB_STARTING, /* the thread is taking the async job */
    TEST_FAKE_JOB_RUNNING,
} TestFakeJobState;

/* vm->private_data of every test domain; read and written under vm->lock. */
typedef struct {
    unsigned long long cpu_time_ns; /* accumulated while running */
    gint64 running_since;           /* monotonic µs, 0 when not running */

    QvirtCond job_cond; /* with vm->lock: fake job state changes and steps */
    int job_state;      /* TestFakeJobState */
    gboolean job_manual;
    int job_target;        /* manual: percent asked for */
    int job_applied;       /* percent the job thread has applied */
    gboolean job_cancel;   /* the driver state is going away: stop */
    QvirtError *job_error; /* why the job could not start */

    gboolean managed_save;        /* an in-memory managed save image exists */
    gboolean managed_save_paused; /* and the guest was paused when saved */
} TestDomainPrivate;

/* The driver table, also the source of every event the driver emits. */
extern const HypervisorDriver test_hypervisor_driver;

/* The driver state of a connection. */
TestDriver *test_driver_from_conn(QvConnect *conn);

/* The domain DOM names, with a new reference and LOCKED, or NULL with
 * NO_DOMAIN. Give it back with test_domain_obj_end(). */
DomainObj *test_domain_obj_get(QvDomain *dom);
void test_domain_obj_end(DomainObj *vm);

TestDomainPrivate *test_domain_private(DomainObj *vm);

/* OPERATION_INVALID "domain is not running" unless VM is active. */
int test_domain_check_active(DomainObj *vm);

/* Queue a lifecycle event for VM (locked). */
void test_domain_emit_lifecycle(DomainObj *vm, int type, int detail);

/* Give VM (locked) its private data if it has none yet. */
void test_domain_private_init(DomainObj *vm);
/* Parse XML for this driver: a domain of type 'test'. */
DomainDef *test_parse_domain_xml(const char *xml);
/* Start VM (locked) with id ID, running with REASON (DomainRunningReason)
 * and a STARTED/DETAIL event, then paused by the user when PAUSED. */
void test_domain_start_reason(DomainObj *vm, int id, gboolean paused, int reason, int detail);
/* Stop VM (locked): shut off with REASON and a STOPPED/DETAIL event; a
 * transient domain leaves the list (VM's lock is dropped and taken back). */
void test_domain_stop(TestDriver *driver, DomainObj *vm, int reason, int detail);
/* test_domain_stop() for the API call on DOM: also waits for a fake async
 * job to notice and forgets DOM's id. */
void test_domain_stop_for(TestDriver *driver, QvDomain *dom, DomainObj *vm, int reason, int detail);

/* ---- save, restore, managed save, core dump (test_driver_save.c) ---- */

int test_domain_save_flags(QvDomain *dom, const char *to, const char *dxml, unsigned int flags);
int test_domain_restore_flags(QvConnect *conn, const char *from, const char *dxml,
                              unsigned int flags);
int test_domain_managed_save(QvDomain *dom, unsigned int flags);
int test_domain_has_managed_save_image(QvDomain *dom, unsigned int flags);
int test_domain_managed_save_remove(QvDomain *dom, unsigned int flags);
int test_domain_core_dump_with_format(QvDomain *dom, const char *to, unsigned int dumpformat,
                                      unsigned int flags);

/* ---- fake jobs (test_driver_job.c) ---- */

int test_domain_get_job_info(QvDomain *dom, QvDomainJobInfo *ret_info);
int test_domain_get_job_stats(QvDomain *dom, int *ret_type, QvTypedParam **ret_params,
                              int *ret_nparams, unsigned int flags);
int test_domain_abort_job_flags(QvDomain *dom, unsigned int flags);
int test_domain_qemu_monitor_command(QvDomain *dom, const char *cmd, char **ret_result,
                                     unsigned int flags);
/* After VM (locked) stopped: wait until its fake job, if any, has ended
 * (it fails as soon as it sees the domain stopped). */
void test_domain_wait_fake_job_end(DomainObj *vm);
/* Ask every fake job of DRIVER to stop and wait for all their threads. */
void test_driver_stop_jobs(TestDriver *driver);

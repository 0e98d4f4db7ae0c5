/* domain_obj.h: DomainObj, a domain's live object: its definitions, state,
 * process identity, job slot and driver-private data.
 *
 * Contract: a DomainObj is reference counted and has one mutex. Hold the mutex
 * only for short, non-blocking work; never across a monitor command, a sleep,
 * blocking I/O or a wait for a job (the job code drops it while waiting).
 * Every field below is read and written with the mutex held. */
#pragma once

#include <sys/types.h>
#include <glib.h>

#include "conf/domain_conf.h"
#include "conf/domain_state.h"
#include "util/threads.h"

typedef struct _DomainJobObj DomainJobObj; /* conf/domain_job.h */

typedef struct _DomainObj DomainObj;
struct _DomainObj {
    gint refs;             /* atomic */
    QvirtMutex lock;

    DomainDef *def;        /* the running definition when active, else the persistent one */
    DomainDef *new_def;    /* persistent definition to use at next start, if changed while running */

    int state;             /* DomainState */
    int state_reason;      /* reason enum of that state */
    pid_t pid;             /* QEMU's pid, 0 when inactive */
    unsigned long long pid_start_time; /* start time of pid, from /proc */

    gboolean persistent;
    gboolean autostart;
    gboolean removing;     /* being removed: job waiters give up with NO_DOMAIN */

    DomainJobObj *job;     /* owned: domain_job_obj_new() at creation */

    gpointer private_data; /* hypervisor driver's data */
    GDestroyNotify private_data_free;
};

/* A new object holding DEF (ownership is taken), with one reference, shut off. */
DomainObj *domain_obj_new(DomainDef *def);
DomainObj *domain_obj_ref(DomainObj *vm);
void domain_obj_unref(DomainObj *vm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainObj, domain_obj_unref)

void domain_obj_lock(DomainObj *vm);
void domain_obj_unlock(DomainObj *vm);

const char *domain_obj_get_name(const DomainObj *vm);
gboolean domain_obj_is_active(const DomainObj *vm);
void domain_obj_set_state(DomainObj *vm, int state, int reason);
int domain_obj_get_state(const DomainObj *vm, int *ret_reason);

/* The definition to persist: new_def if pending, else def. */
DomainDef *domain_obj_get_persistent_def(DomainObj *vm);

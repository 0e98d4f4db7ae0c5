/* domain_obj.c: DomainObj lifetime, locking and state (see domain_obj.h). */
#include <config.h>

#include "conf/domain_job.h"
#include "conf/domain_obj.h"

DomainObj *
domain_obj_new(DomainDef *def)
{
    DomainObj *vm = g_new0(DomainObj, 1);

    vm->refs = 1;
    qvirt_mutex_init(&vm->lock);
    vm->def = def;
    vm->state = DOMAIN_STATE_SHUTOFF;
    vm->state_reason = DOMAIN_SHUTOFF_UNKNOWN;
    vm->job = domain_job_obj_new();
    return vm;
}

DomainObj *
domain_obj_ref(DomainObj *vm)
{
    g_atomic_int_inc(&vm->refs);
    return vm;
}

void
domain_obj_unref(DomainObj *vm)
{
    if (!vm || !g_atomic_int_dec_and_test(&vm->refs))
        return;
    if (vm->private_data && vm->private_data_free)
        vm->private_data_free(vm->private_data);
    domain_job_obj_free(vm->job);
    domain_def_free(vm->def);
    domain_def_free(vm->new_def);
    qvirt_mutex_clear(&vm->lock);
    g_free(vm);
}

void
domain_obj_lock(DomainObj *vm)
{
    qvirt_mutex_lock(&vm->lock);
}

void
domain_obj_unlock(DomainObj *vm)
{
    qvirt_mutex_unlock(&vm->lock);
}

const char *
domain_obj_get_name(const DomainObj *vm)
{
    return vm->def && vm->def->name ? vm->def->name : "";
}

gboolean
domain_obj_is_active(const DomainObj *vm)
{
    return vm->def && vm->def->id != -1;
}

void
domain_obj_set_state(DomainObj *vm, int state, int reason)
{
    vm->state = state;
    vm->state_reason = reason;
}

int
domain_obj_get_state(const DomainObj *vm, int *ret_reason)
{
    if (ret_reason)
        *ret_reason = vm->state_reason;
    return vm->state;
}

DomainDef *
domain_obj_get_persistent_def(DomainObj *vm)
{
    return vm->new_def ? vm->new_def : vm->def;
}

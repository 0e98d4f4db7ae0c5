/* rpc_program.c: the procedure catalog (see rpc_program.h).
 *
 * Priority follows the architecture: connection set-up and tear-down,
 * destroy, abort and every read-only query run on the priority pool, so a
 * pool full of long jobs (save, migration, start) never holds them up. */
#include <config.h>

#include <stdlib.h>

#include "rpc/rpc_message.h"
#include "rpc/rpc_program.h"

/* clang-format off: one line per procedure reads best */
#define RPC_XDR(type) (xdrproc_t) xdr_##type, sizeof(type)
#define RPC_XDR_NONE RPC_XDR_VOID, 0

#define PRIO RPC_PROC_PRIORITY
#define RO RPC_PROC_READONLY_OK
#define EVENT RPC_PROC_EVENT

/* REMOTE procedure without arguments nor reply */
#define R_VV(name, flags)                                                                          \
    {                                                                                              \
        REMOTE_PROGRAM, REMOTE_PROC_##name, #name, RPC_XDR_NONE, RPC_XDR_NONE, (flags)             \
    }
/* REMOTE procedure with a reply only */
#define R_VR(name, ret, flags)                                                                     \
    {                                                                                              \
        REMOTE_PROGRAM, REMOTE_PROC_##name, #name, RPC_XDR_NONE, RPC_XDR(ret), (flags)             \
    }
/* REMOTE procedure with arguments only */
#define R_AV(name, args, flags)                                                                    \
    {                                                                                              \
        REMOTE_PROGRAM, REMOTE_PROC_##name, #name, RPC_XDR(args), RPC_XDR_NONE, (flags)            \
    }
/* REMOTE procedure with arguments and a reply */
#define R_AR(name, args, ret, flags)                                                               \
    {                                                                                              \
        REMOTE_PROGRAM, REMOTE_PROC_##name, #name, RPC_XDR(args), RPC_XDR(ret), (flags)            \
    }

/* Sorted by program, then number: rpc_program_lookup() searches it. The
 * programs sort as KEEPALIVE (0x6b656570) after REMOTE and QEMU. */
static const RpcProcInfo rpc_procs[] = {
    /* REMOTE 0x20008086 */
    R_AV(CONNECT_OPEN, remote_connect_open_args, PRIO | RO),
    R_VV(CONNECT_CLOSE, PRIO | RO),
    R_VR(CONNECT_GET_TYPE, remote_connect_get_type_ret, PRIO | RO),
    R_VR(CONNECT_GET_VERSION, remote_connect_get_version_ret, PRIO | RO),
    R_AR(CONNECT_GET_MAX_VCPUS, remote_connect_get_max_vcpus_args, remote_connect_get_max_vcpus_ret,
         PRIO | RO),
    R_VR(NODE_GET_INFO, remote_node_get_info_ret, PRIO | RO),
    R_VR(CONNECT_GET_CAPABILITIES, remote_connect_get_capabilities_ret, PRIO | RO),
    R_AV(DOMAIN_CREATE, remote_domain_create_args, 0),
    R_AR(DOMAIN_CREATE_XML, remote_domain_create_xml_args, remote_domain_create_xml_ret, 0),
    R_AR(DOMAIN_DEFINE_XML, remote_domain_define_xml_args, remote_domain_define_xml_ret, PRIO),
    R_AV(DOMAIN_DESTROY, remote_domain_destroy_args, PRIO),
    R_AR(DOMAIN_GET_XML_DESC, remote_domain_get_xml_desc_args, remote_domain_get_xml_desc_ret,
         PRIO | RO),
    R_AR(DOMAIN_GET_AUTOSTART, remote_domain_get_autostart_args, remote_domain_get_autostart_ret,
         PRIO | RO),
    R_AR(DOMAIN_GET_INFO, remote_domain_get_info_args, remote_domain_get_info_ret, PRIO | RO),
    R_AR(CONNECT_LIST_DEFINED_DOMAINS, remote_connect_list_defined_domains_args,
         remote_connect_list_defined_domains_ret, PRIO | RO),
    R_AR(DOMAIN_LOOKUP_BY_ID, remote_domain_lookup_by_id_args, remote_domain_lookup_by_id_ret,
         PRIO | RO),
    R_AR(DOMAIN_LOOKUP_BY_NAME, remote_domain_lookup_by_name_args, remote_domain_lookup_by_name_ret,
         PRIO | RO),
    R_AR(DOMAIN_LOOKUP_BY_UUID, remote_domain_lookup_by_uuid_args, remote_domain_lookup_by_uuid_ret,
         PRIO | RO),
    R_VR(CONNECT_NUM_OF_DEFINED_DOMAINS, remote_connect_num_of_defined_domains_ret, PRIO | RO),
    R_AV(DOMAIN_REBOOT, remote_domain_reboot_args, 0),
    R_AV(DOMAIN_RESUME, remote_domain_resume_args, 0),
    R_AV(DOMAIN_SET_AUTOSTART, remote_domain_set_autostart_args, PRIO),
    R_AV(DOMAIN_SHUTDOWN, remote_domain_shutdown_args, 0),
    R_AV(DOMAIN_SUSPEND, remote_domain_suspend_args, 0),
    R_AV(DOMAIN_UNDEFINE, remote_domain_undefine_args, PRIO),
    R_AR(CONNECT_LIST_DOMAINS, remote_connect_list_domains_args, remote_connect_list_domains_ret,
         PRIO | RO),
    R_VR(CONNECT_NUM_OF_DOMAINS, remote_connect_num_of_domains_ret, PRIO | RO),
    R_AV(DOMAIN_CORE_DUMP, remote_domain_core_dump_args, 0),
    R_AV(DOMAIN_RESTORE, remote_domain_restore_args, 0),
    R_AV(DOMAIN_SAVE, remote_domain_save_args, 0),
    R_VR(CONNECT_GET_HOSTNAME, remote_connect_get_hostname_ret, PRIO | RO),
    R_AR(CONNECT_SUPPORTS_FEATURE, remote_connect_supports_feature_args,
         remote_connect_supports_feature_ret, PRIO | RO),
    R_VR(AUTH_LIST, remote_auth_list_ret, PRIO | RO),
    R_VR(CONNECT_GET_URI, remote_connect_get_uri_ret, PRIO | RO),
    R_AR(CONNECT_DOMAIN_XML_TO_NATIVE, remote_connect_domain_xml_to_native_args,
         remote_connect_domain_xml_to_native_ret, 0),
    R_VR(CONNECT_IS_SECURE, remote_connect_is_secure_ret, PRIO | RO),
    R_AR(DOMAIN_IS_ACTIVE, remote_domain_is_active_args, remote_domain_is_active_ret, PRIO | RO),
    R_AR(DOMAIN_IS_PERSISTENT, remote_domain_is_persistent_args, remote_domain_is_persistent_ret,
         PRIO | RO),
    R_VR(CONNECT_GET_LIB_VERSION, remote_connect_get_lib_version_ret, PRIO | RO),
    R_AR(DOMAIN_GET_JOB_INFO, remote_domain_get_job_info_args, remote_domain_get_job_info_ret,
         PRIO | RO),
    R_AV(DOMAIN_ABORT_JOB, remote_domain_abort_job_args, PRIO),
    R_AV(DOMAIN_MIGRATE_SET_MAX_DOWNTIME, remote_domain_migrate_set_max_downtime_args, PRIO),
    R_AV(DOMAIN_MANAGED_SAVE, remote_domain_managed_save_args, 0),
    R_AR(DOMAIN_HAS_MANAGED_SAVE_IMAGE, remote_domain_has_managed_save_image_args,
         remote_domain_has_managed_save_image_ret, PRIO | RO),
    R_AV(DOMAIN_MANAGED_SAVE_REMOVE, remote_domain_managed_save_remove_args, 0),
    R_AR(DOMAIN_CREATE_WITH_FLAGS, remote_domain_create_with_flags_args,
         remote_domain_create_with_flags_ret, 0),
    R_AR(CONNECT_GET_SYSINFO, remote_connect_get_sysinfo_args, remote_connect_get_sysinfo_ret,
         PRIO | RO),
    R_AV(DOMAIN_MIGRATE_SET_MAX_SPEED, remote_domain_migrate_set_max_speed_args, PRIO),
    R_AR(DOMAIN_GET_STATE, remote_domain_get_state_args, remote_domain_get_state_ret, PRIO | RO),
    R_AV(DOMAIN_UNDEFINE_FLAGS, remote_domain_undefine_flags_args, PRIO),
    R_AV(DOMAIN_SAVE_FLAGS, remote_domain_save_flags_args, 0),
    R_AV(DOMAIN_RESTORE_FLAGS, remote_domain_restore_flags_args, 0),
    R_AV(DOMAIN_DESTROY_FLAGS, remote_domain_destroy_flags_args, PRIO),
    R_AV(DOMAIN_BLOCK_JOB_ABORT, remote_domain_block_job_abort_args, 0),
    R_AR(DOMAIN_GET_BLOCK_JOB_INFO, remote_domain_get_block_job_info_args,
         remote_domain_get_block_job_info_ret, PRIO | RO),
    R_AV(DOMAIN_BLOCK_JOB_SET_SPEED, remote_domain_block_job_set_speed_args, 0),
    R_AV(DOMAIN_BLOCK_PULL, remote_domain_block_pull_args, 0),
    R_AR(DOMAIN_MIGRATE_GET_MAX_SPEED, remote_domain_migrate_get_max_speed_args,
         remote_domain_migrate_get_max_speed_ret, PRIO | RO),
    R_AV(DOMAIN_RESET, remote_domain_reset_args, 0),
    R_AV(DOMAIN_SHUTDOWN_FLAGS, remote_domain_shutdown_flags_args, 0),
    R_AV(DOMAIN_BLOCK_REBASE, remote_domain_block_rebase_args, 0),
    R_AR(CONNECT_LIST_ALL_DOMAINS, remote_connect_list_all_domains_args,
         remote_connect_list_all_domains_ret, PRIO | RO),
    R_AV(DOMAIN_BLOCK_COMMIT, remote_domain_block_commit_args, 0),
    R_AR(DOMAIN_GET_JOB_STATS, remote_domain_get_job_stats_args, remote_domain_get_job_stats_ret,
         PRIO | RO),
    R_AR(DOMAIN_MIGRATE_BEGIN3_PARAMS, remote_domain_migrate_begin3_params_args,
         remote_domain_migrate_begin3_params_ret, 0),
    R_AR(DOMAIN_MIGRATE_PREPARE3_PARAMS, remote_domain_migrate_prepare3_params_args,
         remote_domain_migrate_prepare3_params_ret, 0),
    R_AR(DOMAIN_MIGRATE_PERFORM3_PARAMS, remote_domain_migrate_perform3_params_args,
         remote_domain_migrate_perform3_params_ret, 0),
    R_AR(DOMAIN_MIGRATE_FINISH3_PARAMS, remote_domain_migrate_finish3_params_args,
         remote_domain_migrate_finish3_params_ret, 0),
    R_AV(DOMAIN_MIGRATE_CONFIRM3_PARAMS, remote_domain_migrate_confirm3_params_args, 0),
    R_AR(CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
         remote_connect_domain_event_callback_register_any_args,
         remote_connect_domain_event_callback_register_any_ret, PRIO | RO),
    R_AV(CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
         remote_connect_domain_event_callback_deregister_any_args, PRIO | RO),
    R_AV(DOMAIN_EVENT_CALLBACK_LIFECYCLE, remote_domain_event_callback_lifecycle_msg, EVENT),
    R_AV(DOMAIN_EVENT_CALLBACK_REBOOT, remote_domain_event_callback_reboot_msg, EVENT),
    R_AV(DOMAIN_EVENT_CALLBACK_BLOCK_JOB, remote_domain_event_callback_block_job_msg, EVENT),
    R_AV(DOMAIN_CORE_DUMP_WITH_FORMAT, remote_domain_core_dump_with_format_args, 0),
    R_AV(DOMAIN_EVENT_BLOCK_JOB_2, remote_domain_event_block_job_2_msg, EVENT),
    R_AR(CONNECT_GET_DOMAIN_CAPABILITIES, remote_connect_get_domain_capabilities_args,
         remote_connect_get_domain_capabilities_ret, PRIO | RO),
    R_AR(CONNECT_GET_ALL_DOMAIN_STATS, remote_connect_get_all_domain_stats_args,
         remote_connect_get_all_domain_stats_ret, PRIO | RO),
    R_AV(DOMAIN_BLOCK_COPY, remote_domain_block_copy_args, 0),
    R_AR(DOMAIN_DEFINE_XML_FLAGS, remote_domain_define_xml_flags_args,
         remote_domain_define_xml_flags_ret, PRIO),
    R_AV(DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION,
         remote_domain_event_callback_migration_iteration_msg, EVENT),
    R_VV(CONNECT_REGISTER_CLOSE_CALLBACK, PRIO | RO),
    R_VV(CONNECT_UNREGISTER_CLOSE_CALLBACK, PRIO | RO),
    R_AV(DOMAIN_EVENT_CALLBACK_JOB_COMPLETED, remote_domain_event_callback_job_completed_msg,
         EVENT),
    R_AV(DOMAIN_MIGRATE_START_POST_COPY, remote_domain_migrate_start_post_copy_args, PRIO),
    R_AR(DOMAIN_MIGRATE_GET_MAX_DOWNTIME, remote_domain_migrate_get_max_downtime_args,
         remote_domain_migrate_get_max_downtime_ret, PRIO | RO),
    R_AV(DOMAIN_ABORT_JOB_FLAGS, remote_domain_abort_job_flags_args, PRIO),

    /* QEMU 0x20008087 */
    {QEMU_PROGRAM, QEMU_PROC_DOMAIN_MONITOR_COMMAND, "DOMAIN_MONITOR_COMMAND",
     RPC_XDR(qemu_domain_monitor_command_args), RPC_XDR(qemu_domain_monitor_command_ret), 0},
    {QEMU_PROGRAM, QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER,
     "CONNECT_DOMAIN_MONITOR_EVENT_REGISTER",
     RPC_XDR(qemu_connect_domain_monitor_event_register_args),
     RPC_XDR(qemu_connect_domain_monitor_event_register_ret), PRIO | RO},
    {QEMU_PROGRAM, QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER,
     "CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER",
     RPC_XDR(qemu_connect_domain_monitor_event_deregister_args), RPC_XDR_NONE, PRIO | RO},
    {QEMU_PROGRAM, QEMU_PROC_DOMAIN_MONITOR_EVENT, "DOMAIN_MONITOR_EVENT",
     RPC_XDR(qemu_domain_monitor_event_msg), RPC_XDR_NONE, EVENT},

    /* KEEPALIVE 0x6b656570: handled inside every connection (rpc_conn.c) */
    {KEEPALIVE_PROGRAM, KEEPALIVE_PROC_PING, "PING", RPC_XDR_NONE, RPC_XDR_NONE, EVENT},
    {KEEPALIVE_PROGRAM, KEEPALIVE_PROC_PONG, "PONG", RPC_XDR_NONE, RPC_XDR_NONE, EVENT},
};
/* clang-format on */

static int
rpc_program_compare(const void *a, const void *b)
{
    const RpcProcInfo *x = a;
    const RpcProcInfo *y = b;

    if (x->prog != y->prog)
        return x->prog < y->prog ? -1 : 1;
    if (x->proc != y->proc)
        return x->proc < y->proc ? -1 : 1;
    return 0;
}

const RpcProcInfo *
rpc_program_lookup(guint32 prog, int proc)
{
    RpcProcInfo key = {.prog = prog, .proc = proc};

    return bsearch(&key, rpc_procs, G_N_ELEMENTS(rpc_procs), sizeof(rpc_procs[0]),
                   rpc_program_compare);
}

const RpcProcInfo *
rpc_program_list(size_t *ret_count)
{
    *ret_count = G_N_ELEMENTS(rpc_procs);
    return rpc_procs;
}

gboolean
rpc_program_is_known(guint32 prog)
{
    return prog == REMOTE_PROGRAM || prog == QEMU_PROGRAM || prog == KEEPALIVE_PROGRAM;
}

guint32
rpc_program_version(guint32 prog)
{
    switch (prog) {
    case REMOTE_PROGRAM:
        return REMOTE_PROTOCOL_VERSION;
    case QEMU_PROGRAM:
        return QEMU_PROTOCOL_VERSION;
    case KEEPALIVE_PROGRAM:
        return KEEPALIVE_PROTOCOL_VERSION;
    default:
        return 0;
    }
}

const char *
rpc_program_name(guint32 prog)
{
    switch (prog) {
    case REMOTE_PROGRAM:
        return "REMOTE";
    case QEMU_PROGRAM:
        return "QEMU";
    case KEEPALIVE_PROGRAM:
        return "KEEPALIVE";
    default:
        return NULL;
    }
}

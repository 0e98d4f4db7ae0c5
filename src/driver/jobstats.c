/* jobstats.c: job statistics as job info and typed parameters (see
 * jobstats.h for the contract). */
#include <config.h>

#include <string.h>

#include "driver/jobstats.h"

int
qv_job_stats_type(const DomainJobStats *stats)
{
    switch (stats->status) {
    case DOMAIN_JOB_STATUS_NONE:
        return QV_DOMAIN_JOB_NONE;
    case DOMAIN_JOB_STATUS_COMPLETED:
        return QV_DOMAIN_JOB_COMPLETED;
    case DOMAIN_JOB_STATUS_FAILED:
        return QV_DOMAIN_JOB_FAILED;
    case DOMAIN_JOB_STATUS_CANCELED:
        return QV_DOMAIN_JOB_CANCELLED;
    default:
        return QV_DOMAIN_JOB_UNBOUNDED;
    }
}

void
qv_job_stats_to_info(const DomainJobStats *stats, QvDomainJobInfo *ret_info)
{
    QvDomainJobInfo info;

    memset(&info, 0, sizeof(info));
    info.type = qv_job_stats_type(stats);
    if (info.type != QV_DOMAIN_JOB_NONE) {
        info.time_elapsed_ms = MAX(stats->time_elapsed_ms, 0);
        info.time_remaining_ms = MAX(stats->time_remaining_ms, 0);
        info.data_total = stats->data_total;
        info.data_processed = stats->data_processed;
        info.data_remaining = stats->data_remaining;
        info.mem_total = stats->mem_total;
        info.mem_processed = stats->mem_processed;
        info.mem_remaining = stats->mem_remaining;
        info.file_total = stats->disk_total;
        info.file_processed = stats->disk_processed;
        info.file_remaining = stats->disk_remaining;
    }
    *ret_info = info;
}

/* Adding a parameter with a fixed, short field name cannot fail. */
#define ADD_ULLONG(field, value)                                                                   \
    qv_typed_params_add_ullong(&params, &nparams, &maxparams, field, value)

void
qv_job_stats_to_params(const DomainJobStats *stats, int *ret_type, QvTypedParam **ret_params,
                       int *ret_nparams)
{
    QvTypedParam *params = NULL;
    int nparams = 0;
    int maxparams = 0;
    int type = qv_job_stats_type(stats);

    if (type == QV_DOMAIN_JOB_NONE) {
        *ret_type = type;
        *ret_params = NULL;
        *ret_nparams = 0;
        return;
    }

    qv_typed_params_add_int(&params, &nparams, &maxparams, "operation", stats->operation);
    ADD_ULLONG("time_elapsed", MAX(stats->time_elapsed_ms, 0));
    if (stats->time_remaining_ms > 0)
        ADD_ULLONG("time_remaining", stats->time_remaining_ms);
    if (stats->downtime_set)
        ADD_ULLONG("downtime", MAX(stats->downtime_ms, 0));
    if (stats->setup_time_ms > 0)
        ADD_ULLONG("setup_time", stats->setup_time_ms);

    ADD_ULLONG("data_total", stats->data_total);
    ADD_ULLONG("data_processed", stats->data_processed);
    ADD_ULLONG("data_remaining", stats->data_remaining);

    ADD_ULLONG("memory_total", stats->mem_total);
    ADD_ULLONG("memory_processed", stats->mem_processed);
    ADD_ULLONG("memory_remaining", stats->mem_remaining);
    if (stats->mem_bps)
        ADD_ULLONG("memory_bps", stats->mem_bps);
    if (stats->mem_dirty_rate)
        ADD_ULLONG("memory_dirty_rate", stats->mem_dirty_rate);
    if (stats->mem_page_size)
        ADD_ULLONG("memory_page_size", stats->mem_page_size);
    if (stats->mem_iteration)
        ADD_ULLONG("memory_iteration", stats->mem_iteration);
    if (stats->mem_postcopy_requests)
        ADD_ULLONG("memory_postcopy_requests", stats->mem_postcopy_requests);

    ADD_ULLONG("disk_total", stats->disk_total);
    ADD_ULLONG("disk_processed", stats->disk_processed);
    ADD_ULLONG("disk_remaining", stats->disk_remaining);
    if (stats->disk_bps)
        ADD_ULLONG("disk_bps", stats->disk_bps);

    if (type == QV_DOMAIN_JOB_COMPLETED || type == QV_DOMAIN_JOB_FAILED ||
        type == QV_DOMAIN_JOB_CANCELLED) {
        qv_typed_params_add_boolean(&params, &nparams, &maxparams, "success",
                                    type == QV_DOMAIN_JOB_COMPLETED);
    }
    /* A running job may carry one too (recovery's "outcome unknown"). */
    if (stats->error_message[0])
        qv_typed_params_add_string(&params, &nparams, &maxparams, "errmsg", stats->error_message);

    *ret_type = type;
    *ret_params = params;
    *ret_nparams = nparams;
}

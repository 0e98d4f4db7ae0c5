/* jobstats.h: a domain's job statistics (conf/domain_job.h) as the public
 * API reports them: virDomainJobInfo and the typed parameters of
 * virDomainGetJobStats, with libvirt's field names ("operation",
 * "time_elapsed", "data_total", "memory_processed", ...).
 *
 * Contract: pure conversions, shared by every driver. A statistics slot
 * with status NONE converts to job type NONE and no parameters. Fields that
 * are 0 and optional in libvirt (downtime, setup time, disk and memory rates)
 * are left out; the totals and "time_elapsed" are always present for an
 * active or finished job. */
#pragma once

#include "conf/domain_job.h"
#include "driver/driver.h"

/* The QvDomainJobType of a statistics status. */
int qv_job_stats_type(const DomainJobStats *stats);

void qv_job_stats_to_info(const DomainJobStats *stats, QvDomainJobInfo *ret_info);

/* New typed parameters for STATS; *RET_TYPE is its QvDomainJobType. A
 * finished job gets "success" (boolean); "errmsg" comes with any job whose
 * statistics carry an error message (a failed one, or a running one that
 * recovery marked "outcome unknown"). */
void qv_job_stats_to_params(const DomainJobStats *stats, int *ret_type, QvTypedParam **ret_params,
                            int *ret_nparams);

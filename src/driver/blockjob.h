/* blockjob.h: the public vocabulary of block jobs (pull, copy, commit):
 * libvirt's flag values of virDomainBlockPull, BlockRebase, BlockCommit,
 * BlockCopy, BlockJobAbort, GetBlockJobInfo and BlockJobSetSpeed, the
 * typed parameter names of BlockCopy, and the job information struct.
 * Job types and event statuses are in driver/event.h.
 *
 * Contract: numbers and strings are libvirt's; they travel on the wire
 * unchanged. Bandwidth is in MiB/s unless a *_BANDWIDTH_BYTES flag says
 * bytes/s (BlockCopy's "bandwidth" parameter is always bytes/s). */
#pragma once

/* virDomainBlockPullFlags. */
#define QV_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES (1U << 6)

/* virDomainBlockRebaseFlags. */
typedef enum {
    QV_DOMAIN_BLOCK_REBASE_SHALLOW = 1 << 0,
    QV_DOMAIN_BLOCK_REBASE_REUSE_EXT = 1 << 1,
    QV_DOMAIN_BLOCK_REBASE_COPY_RAW = 1 << 2,
    QV_DOMAIN_BLOCK_REBASE_COPY = 1 << 3,
    QV_DOMAIN_BLOCK_REBASE_RELATIVE = 1 << 4,
    QV_DOMAIN_BLOCK_REBASE_COPY_DEV = 1 << 5,
    QV_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES = 1 << 6,
} QvDomainBlockRebaseFlags;

/* virDomainBlockCommitFlags. */
typedef enum {
    QV_DOMAIN_BLOCK_COMMIT_SHALLOW = 1 << 0,
    QV_DOMAIN_BLOCK_COMMIT_DELETE = 1 << 1,
    QV_DOMAIN_BLOCK_COMMIT_ACTIVE = 1 << 2,
    QV_DOMAIN_BLOCK_COMMIT_RELATIVE = 1 << 3,
    QV_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES = 1 << 4,
} QvDomainBlockCommitFlags;

/* virDomainBlockCopyFlags. */
typedef enum {
    QV_DOMAIN_BLOCK_COPY_SHALLOW = 1 << 0,
    QV_DOMAIN_BLOCK_COPY_REUSE_EXT = 1 << 1,
    QV_DOMAIN_BLOCK_COPY_TRANSIENT_JOB = 1 << 2,
    QV_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES = 1 << 3,
} QvDomainBlockCopyFlags;

/* virDomainBlockCopy typed parameters. */
#define QV_DOMAIN_BLOCK_COPY_BANDWIDTH "bandwidth"     /* ullong, bytes/s */
#define QV_DOMAIN_BLOCK_COPY_GRANULARITY "granularity" /* uint, bytes */
#define QV_DOMAIN_BLOCK_COPY_BUF_SIZE "buf-size"       /* ullong, bytes */

/* virDomainBlockJobAbortFlags. */
typedef enum {
    QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC = 1 << 0,
    QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT = 1 << 1,
} QvDomainBlockJobAbortFlags;

/* virDomainBlockJobInfoFlags and virDomainBlockJobSetSpeedFlags. */
#define QV_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES 1U
#define QV_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES 1U

/* virDomainBlockJobInfo. */
typedef struct {
    int type;                     /* QvDomainBlockJobType */
    unsigned long long bandwidth; /* MiB/s, or bytes/s with INFO_BANDWIDTH_BYTES */
    unsigned long long cur;       /* progress, in the job's own units */
    unsigned long long end;       /* never equal to cur before the job is ready/done */
} QvDomainBlockJobInfo;

/* shell_blockjob_priv.h: the pieces of the shell's block job commands
 * (blockpull, blockcopy, blockcommit, blockjob) that tests/shell checks
 * without a daemon: the request built from the parsed options, the
 * destination XML of blockcopy, blockjob's mode, and virsh's progress
 * figure. Not for other layers.
 *
 * Contract:
 * - shell_block_request_new() reads only the options (and the file of
 *   blockcopy --xml); it never connects. It prints every error as
 *   "error: ..." on the shell's error stream and returns NULL.
 * - Flag values are those of driver/blockjob.h, as virsh passes them; the
 *   bandwidth is as given (MiB/s, or bytes/s with --bytes), except for
 *   blockcopy, whose "bandwidth" parameter is always bytes/s. */
#pragma once

#include "shell/shell_priv.h"

typedef enum {
    SHELL_BLOCK_PULL,
    SHELL_BLOCK_COPY,
    SHELL_BLOCK_COMMIT,
} ShellBlockKind;

typedef struct {
    ShellBlockKind kind;
    const char *disk;             /* borrowed from the options */
    char *base;                   /* pull --base; commit --base */
    char *top;                    /* commit --top */
    char *destxml;                /* copy: the <disk> of the destination */
    gboolean use_rebase;          /* pull with --base: qv_domain_block_rebase */
    unsigned long long bandwidth; /* pull/commit: the call's bandwidth */
    unsigned int flags;           /* of the starting call */
    QvTypedParam *params;         /* copy */
    int nparams;
    int maxparams;
    gboolean wait; /* --wait, or implied */
    gboolean verbose;
    gboolean async;    /* abort asynchronously at --timeout */
    gboolean pivot;    /* copy/commit --pivot */
    gboolean finish;   /* copy --finish, commit --keep-overlay */
    gint64 timeout_ms; /* 0: none */
} ShellBlockRequest;

ShellBlockRequest *shell_block_request_new(Shell *sh, ShellBlockKind kind, const ShellArgs *args);
/* Accepts NULL. */
void shell_block_request_free(ShellBlockRequest *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ShellBlockRequest, shell_block_request_free)

/* The <disk> of a copy to DEST (a file, or with BLOCKDEV a block device),
 * with a <driver type=FORMAT/> when FORMAT is not NULL; DEST and FORMAT
 * are escaped. A new string. */
char *shell_block_copy_dest_xml(const char *dest, const char *format, gboolean blockdev);

typedef enum {
    SHELL_BLOCKJOB_INFO,
    SHELL_BLOCKJOB_ABORT,
    SHELL_BLOCKJOB_SPEED,
} ShellBlockJobMode;

/* blockjob's mode from its options, or -1 after printing the conflict. */
int shell_blockjob_mode(Shell *sh, const ShellArgs *args);

/* virsh's progress figure of a block job: 100 when nothing remains, else
 * the share done, at most 99. */
int shell_block_progress_percent(unsigned long long cur, unsigned long long end);

extern const ShellOpt opts_blockpull[];
extern const ShellOpt opts_blockcopy[];
extern const ShellOpt opts_blockcommit[];
extern const ShellOpt opts_blockjob[];
gboolean cmd_blockpull(Shell *sh, ShellArgs *args);
gboolean cmd_blockcopy(Shell *sh, ShellArgs *args);
gboolean cmd_blockcommit(Shell *sh, ShellArgs *args);
gboolean cmd_blockjob(Shell *sh, ShellArgs *args);

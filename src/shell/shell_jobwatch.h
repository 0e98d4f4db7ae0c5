/* shell_jobwatch.h: running one long API call (migrate, save, managed
 * save, dump) while watching its domain's job, as virsh does: the call runs
 * in a worker thread while this thread looks at the job every 500 ms,
 * prints the progress bar of --verbose ("Save: [ 42 %]") on the error
 * stream and turns Ctrl-C into an abort of the job. Not for other layers.
 *
 * Contract: the SIGINT handler is installed only while the call runs and
 * the previous one is put back. When the call fails its error is handed to
 * the calling thread (the thread's last error) and nothing is printed but
 * the end of an open progress line: the caller reports it. */
#pragma once

#include "shell/shell_priv.h"

/* The call, run in the worker thread: TRUE on success, FALSE with the
 * worker's error set. */
typedef gboolean (*ShellJobCallFunc)(gpointer opaque);

/* After each look at the job (and after the progress bar): ELAPSED_MS
 * since the call started and the job's statistics (PARAMS may be NULL).
 * *PRINTED is TRUE while a progress line is open. */
typedef void (*ShellJobPollFunc)(Shell *sh, QvDomain *dom, gint64 elapsed_ms,
                                 const QvTypedParam *params, int nparams, gboolean *printed,
                                 gpointer opaque);

typedef struct {
    const char *label; /* the bar's name, translated: "Migration", "Save", "Dump" */
    gboolean verbose;  /* print the progress bar */
    gboolean watch;    /* look at the job even without VERBOSE (for POLL) */
    ShellJobCallFunc call;
    ShellJobPollFunc poll; /* may be NULL */
    gpointer opaque;       /* for CALL and POLL */
} ShellJobWatch;

/* virsh's progress figure: -1 while the total is unknown (nothing to print
 * yet), 100 when nothing remains, else the share done, at most 99. */
int shell_job_progress_percent(unsigned long long remaining, unsigned long long total);

/* Run W->call on DOM's behalf and watch the job until it returns; its
 * result. With W->verbose a successful call ends with "LABEL: [100 %]". */
gboolean shell_job_watch_run(Shell *sh, QvDomain *dom, const ShellJobWatch *w);

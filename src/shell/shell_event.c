/* shell_event.c: the shell's event command (see shell.h): registers for
 * one or every event id, prints each event as virsh does, and ends after
 * the first event, at --timeout, or when the connection closes. */
#include <config.h>

#include <string.h>

#include "shell/shell_priv.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* ---- events ---- */

typedef struct {
    Shell *sh;
    GMutex lock;
    GCond cond;
    guint count;
    int closed; /* -1 while connected, else the QvConnectCloseReason */
} ShellEventWait;

static void
shell_event_close_cb(QvConnect *conn, int reason, gpointer opaque)
{
    ShellEventWait *w = opaque;
    (void)conn;

    g_mutex_lock(&w->lock);
    w->closed = reason;
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
}

static const char *
shell_close_reason_str(int reason)
{
    switch (reason) {
    case QV_CONNECT_CLOSE_REASON_EOF:
        return _("end of file");
    case QV_CONNECT_CLOSE_REASON_KEEPALIVE:
        return _("keepalive timeout");
    case QV_CONNECT_CLOSE_REASON_CLIENT:
        return _("client");
    default:
        return _("I/O error");
    }
}

static const char *
shell_lifecycle_str(int type, int detail)
{
    static const char *const types[] = {N_("Defined"),   N_("Undefined"),   N_("Started"),
                                        N_("Suspended"), N_("Resumed"),     N_("Stopped"),
                                        N_("Shutdown"),  N_("PMSuspended"), N_("Crashed")};
    (void)detail;

    if (type < 0 || type >= (int)G_N_ELEMENTS(types))
        return _("unknown");
    return _(types[type]);
}

static const char *
shell_lifecycle_detail_str(int type, int detail)
{
    static const char *const defined[] = {N_("Added"), N_("Updated"), N_("Renamed"), N_("Snapshot"),
                                          NULL};
    static const char *const undefined[] = {N_("Removed"), N_("Renamed"), NULL};
    static const char *const started[] = {N_("Booted"),   N_("Migrated"),     N_("Restored"),
                                          N_("Snapshot"), N_("Event wakeup"), NULL};
    static const char *const suspended[] = {
        N_("Paused"),   N_("Migrated"),  N_("I/O Error"), N_("Watchdog"),        N_("Restored"),
        N_("Snapshot"), N_("API error"), N_("Post-copy"), N_("Post-copy Error"), NULL};
    static const char *const resumed[] = {N_("Unpaused"),  N_("Migrated"),        N_("Snapshot"),
                                          N_("Post-copy"), N_("Post-copy Error"), NULL};
    static const char *const stopped[] = {
        N_("Shutdown"), N_("Destroyed"), N_("Crashed"),  N_("Migrated"),
        N_("Saved"),    N_("Failed"),    N_("Snapshot"), NULL};
    static const char *const shutdown[] = {N_("Finished"), N_("Finished after guest request"),
                                           N_("Finished after host request"), NULL};
    static const char *const pmsuspended[] = {N_("Memory"), N_("Disk"), NULL};
    static const char *const crashed[] = {N_("Panicked"), N_("Crashloaded"), NULL};
    static const char *const *const tables[] = {defined, undefined, started,     suspended, resumed,
                                                stopped, shutdown,  pmsuspended, crashed};

    if (type < 0 || type >= (int)G_N_ELEMENTS(tables))
        return _("unknown");
    for (int i = 0; tables[type][i]; i++) {
        if (i == detail)
            return _(tables[type][i]);
    }
    return _("unknown");
}

static void
shell_event_cb(QvConnect *conn, QvDomain *dom, const QvEvent *event, gpointer opaque)
{
    ShellEventWait *w = opaque;
    FILE *out = w->sh->out;
    const char *name = qv_domain_get_name(dom);
    (void)conn;

    g_mutex_lock(&w->lock);
    switch (event->event_id) {
    case QV_DOMAIN_EVENT_ID_LIFECYCLE:
        fprintf(
            out, _("event 'lifecycle' for domain '%s': %s %s\n"), name,
            shell_lifecycle_str(event->data.lifecycle.type, event->data.lifecycle.detail),
            shell_lifecycle_detail_str(event->data.lifecycle.type, event->data.lifecycle.detail));
        break;
    case QV_DOMAIN_EVENT_ID_REBOOT:
        fprintf(out, _("event 'reboot' for domain '%s'\n"), name);
        break;
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB:
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB_2: {
        static const char *const types[] = {
            N_("unknown"),      N_("Block Pull"),          N_("Block Copy"),
            N_("Block Commit"), N_("Active Block Commit"), N_("Backup")};
        static const char *const statuses[] = {N_("completed"), N_("failed"), N_("canceled"),
                                               N_("ready")};
        int t = event->data.block_job.type;
        int s = event->data.block_job.status;

        fprintf(out, _("event '%s' for domain '%s': %s for %s %s\n"),
                event->event_id == QV_DOMAIN_EVENT_ID_BLOCK_JOB ? "block-job" : "block-job-2", name,
                t >= 0 && t < (int)G_N_ELEMENTS(types) ? _(types[t]) : _("unknown"),
                event->data.block_job.disk,
                s >= 0 && s < (int)G_N_ELEMENTS(statuses) ? _(statuses[s]) : _("unknown"));
        break;
    }
    case QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        fprintf(out, _("event 'migration-iteration' for domain '%s': iteration: '%d'\n"), name,
                event->data.migration_iteration.iteration);
        break;
    case QV_DOMAIN_EVENT_ID_JOB_COMPLETED:
        fprintf(out, _("event 'job-completed' for domain '%s':\n"), name);
        for (int i = 0; i < event->data.job_completed.nparams; i++) {
            const QvTypedParam *p = &event->data.job_completed.params[i];
            g_autofree char *v = NULL;

            switch (p->type) {
            case QV_TYPED_PARAM_INT:
                v = g_strdup_printf("%d", p->value.i);
                break;
            case QV_TYPED_PARAM_UINT:
                v = g_strdup_printf("%u", p->value.ui);
                break;
            case QV_TYPED_PARAM_LLONG:
                v = g_strdup_printf("%lld", p->value.l);
                break;
            case QV_TYPED_PARAM_ULLONG:
                v = g_strdup_printf("%llu", p->value.ul);
                break;
            case QV_TYPED_PARAM_DOUBLE:
                v = g_strdup_printf("%f", p->value.d);
                break;
            case QV_TYPED_PARAM_BOOLEAN:
                v = g_strdup(p->value.b ? "yes" : "no");
                break;
            default:
                v = g_strdup(p->value.s ? p->value.s : "");
                break;
            }
            fprintf(out, "\t%s: %s\n", p->field, v);
        }
        break;
    default:
        fprintf(out, _("event %d for domain '%s'\n"), event->event_id, name);
        break;
    }
    fflush(out);
    w->count++;
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
}

static const struct {
    const char *name;
    int id;
} shell_event_names[] = {
    {"lifecycle", QV_DOMAIN_EVENT_ID_LIFECYCLE},
    {"reboot", QV_DOMAIN_EVENT_ID_REBOOT},
    {"block-job", QV_DOMAIN_EVENT_ID_BLOCK_JOB},
    {"block-job-2", QV_DOMAIN_EVENT_ID_BLOCK_JOB_2},
    {"migration-iteration", QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION},
    {"job-completed", QV_DOMAIN_EVENT_ID_JOB_COMPLETED},
};

const ShellOpt opts_event[] = {
    {"domain", SHELL_OPT_STRING, FALSE, TRUE},   {"event", SHELL_OPT_STRING, FALSE, TRUE},
    {"all", SHELL_OPT_BOOL, FALSE, FALSE},       {"loop", SHELL_OPT_BOOL, FALSE, FALSE},
    {"timeout", SHELL_OPT_STRING, FALSE, FALSE}, {"list", SHELL_OPT_BOOL, FALSE, FALSE},
    {"timestamp", SHELL_OPT_BOOL, FALSE, FALSE}, {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_event(Shell *sh, ShellArgs *args)
{
    const char *event = shell_opt_str(args, "event");
    const char *timeout_str = shell_opt_str(args, "timeout");
    gboolean all = shell_opt_bool(args, "all");
    gboolean loop = shell_opt_bool(args, "loop");
    g_autoptr(QvDomain) dom = NULL;
    ShellEventWait w = {.sh = sh, .closed = -1};
    gboolean close_cb = FALSE;
    int ids[G_N_ELEMENTS(shell_event_names)];
    guint nids = 0;
    gint64 deadline = -1;
    gboolean ok = TRUE;

    if (shell_opt_bool(args, "list")) {
        for (guint i = 0; i < G_N_ELEMENTS(shell_event_names); i++)
            fprintf(sh->out, "%s\n", shell_event_names[i].name);
        return TRUE;
    }
    if (!shell_connect(sh))
        return FALSE;
    if ((event && all) || (!event && !all)) {
        shell_error(sh, _("one of --list, --all, or --event <type> is required"));
        return FALSE;
    }
    if (timeout_str) {
        guint64 secs;

        if (!g_ascii_string_to_unsigned(timeout_str, 10, 1, G_MAXINT / 1000, &secs, NULL)) {
            shell_error(sh, _("invalid timeout '%s'"), timeout_str);
            return FALSE;
        }
        deadline = g_get_monotonic_time() + (gint64)secs * G_TIME_SPAN_SECOND;
    }
    if (shell_opt_str(args, "domain")) {
        dom = shell_args_domain(sh, args);
        if (!dom)
            return FALSE;
    }
    g_mutex_init(&w.lock);
    g_cond_init(&w.cond);
    for (guint i = 0; i < G_N_ELEMENTS(shell_event_names); i++) {
        int id;

        if (!all && strcmp(event, shell_event_names[i].name) != 0)
            continue;
        id = qv_connect_domain_event_register_any(sh->conn, dom, shell_event_names[i].id,
                                                  shell_event_cb, &w, NULL);
        if (id < 0) {
            shell_report_last(sh);
            ok = FALSE;
            break;
        }
        ids[nids++] = id;
    }
    if (ok && nids == 0) {
        shell_error(sh, _("unknown event type %s"), event);
        ok = FALSE;
    }
    if (ok) {
        close_cb =
            qv_connect_register_close_callback(sh->conn, shell_event_close_cb, &w, NULL) == 0;
        qvirt_error_reset();
        g_mutex_lock(&w.lock);
        while ((loop || w.count == 0) && w.closed < 0) {
            if (deadline < 0) {
                g_cond_wait(&w.cond, &w.lock);
            } else if (!g_cond_wait_until(&w.cond, &w.lock, deadline)) {
                if (g_get_monotonic_time() >= deadline)
                    break;
            }
        }
        g_mutex_unlock(&w.lock);
    }
    if (close_cb)
        qv_connect_unregister_close_callback(sh->conn, shell_event_close_cb);
    for (guint i = 0; i < nids; i++)
        qv_connect_domain_event_deregister_any(sh->conn, ids[i]);
    qvirt_error_reset();
    if (ok && w.closed >= 0) {
        g_autofree char *uri = qv_connect_get_uri(sh->conn);

        fprintf(sh->out, _("events received: %u\n"), w.count);
        shell_error(sh, _("Disconnected from %s due to %s"), uri ? uri : "?",
                    shell_close_reason_str(w.closed));
        qvirt_error_reset();
        ok = FALSE;
    } else if (ok) {
        fprintf(sh->out, _("events received: %u\n"), w.count);
    }
    g_cond_clear(&w.cond);
    g_mutex_clear(&w.lock);
    return ok;
}

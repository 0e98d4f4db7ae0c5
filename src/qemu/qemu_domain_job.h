/* qemu_domain_job.h: the QEMU driver's private part of a domain's job
 * (DomainJobObj private data): the migration parameters to restore, the
 * disks being migrated, the peer of a peer-to-peer migration and whether
 * the job paused the guest; and the job callbacks that write and read it
 * inside <job> of the status XML.
 *
 * Contract:
 * - Status XML, inside <job>: <disk dev='vda' migrating='yes'/> per disk
 *   being mirrored, <migParams> (qemu_migration_params_format()),
 *   <peer uri='...'/>, <pausedByJob/>, <partialFile path='...'/> (the
 *   file a save or dump is writing, which recovery removes after a
 *   restart). Parsing is strict (XML_ERROR).
 * - Everything is reset when the async job ends (reset_private). */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "conf/domain_job.h"
#include "conf/domain_obj.h"
#include "qemu/qemu_migration_params.h"

typedef struct {
    QemuMigrationParams *mig_params; /* originals to restore, or NULL */
    GPtrArray *migrating_disks;      /* of char * disk targets, never NULL */
    char *peer_uri;                  /* destination daemon of a p2p migration, or NULL */
    gboolean paused_by_job;          /* the job paused a running guest */
    char *partial_file;              /* a save's or dump's unfinished file, or NULL */
    char *partial_final;             /* the name a save renames it to, or NULL */
    guint64 partial_inode;           /* its inode: what a rename put there */
} QemuDomainJobPrivate;

/* VM's (locked) job private data, created on first use. The job's
 * callbacks must be those of qemu_domain_job_set_callbacks(): they free it. */
QemuDomainJobPrivate *qemu_domain_job_private(DomainObj *vm);
/* Fill the format/parse/reset/free callbacks of CB (save_status is left
 * alone). */
void qemu_domain_job_set_callbacks(DomainJobCallbacks *cb);

/* Remove the unfinished files the job of VM (locked) recorded: the
 * partial file, and the final name when it holds the partial file's inode
 * (a save renamed it; an earlier file of that name is left alone). Each
 * failure is logged as a warning; returns -1 when one happened. The
 * record is cleared either way. */
int qemu_domain_job_remove_partial_files(DomainObj *vm);

/* What error messages call the status document NODE belongs to:
 * "status file 'PATH'" when the document has a URL, else "the status XML
 * of domain 'NAME'" (new string). */
char *qemu_domain_job_status_where(xmlNodePtr node);

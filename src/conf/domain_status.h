/* domain_status.h: the status XML, the file `<stateDir>/<name>.xml` that
 * describes a running domain well enough for a restarted daemon to take it
 * over: state and reason, QEMU's pid and its start time, the monitor socket,
 * the job with its phase, the block jobs and the live definition.
 *
 *   <domstatus state='running' reason='booted' pid='4242' pidStartTime='123456'>
 *     <monitor path='/run/qvirt/qemu/vm1/monitor.sock' type='unix'/>
 *     <job type='none' async='migration out' phase='perform3' .../>
 *     <blockjobs>...</blockjobs>
 *     ...driver-private elements...
 *     <domain type='kvm' id='1'>...</domain>
 *   </domstatus>
 *
 * Contract: formatting is canonical: parse(format(vm)) formats identically.
 * Parsing is strict about structure: an unknown element or attribute, a
 * duplicate element, stray text, an unknown state, reason, job, phase or block
 * job state, or a missing <domain> is an error (XML_ERROR) whose message names
 * the file. A parse never yields a half-filled object: it returns a complete
 * DomainObj or NULL. Files are written atomically (temporary file, fsync,
 * rename, fsync of the folder) with mode 0600. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "conf/domain_obj.h"
#include "util/xml.h"

/* What the status file holds beside the DomainObj itself. */
typedef struct _DomainStatusExtra DomainStatusExtra;
struct _DomainStatusExtra {
    char *monitor_path;    /* QEMU monitor socket; NULL: no <monitor> element */
    char *monitor_type;    /* "unix" or "pty"; NULL means "unix" */
    GPtrArray *block_jobs; /* DomainBlockJobRecord *; NULL or empty: no <blockjobs> */
};

DomainStatusExtra *domain_status_extra_new(void);
void domain_status_extra_free(DomainStatusExtra *extra);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainStatusExtra, domain_status_extra_free)

/* Hooks through which a hypervisor driver keeps its own data in the file.
 * Every member may be NULL; a NULL hooks pointer means no hooks. */
typedef struct _DomainStatusHooks DomainStatusHooks;
struct _DomainStatusHooks {
    /* Parser: called right after the object is created, before any element
     * is read (e.g. to allocate vm->private_data, or to set the job's
     * callbacks so that <job> children are read). FILE names the document. */
    void (*init)(DomainObj *vm, const char *file, gpointer opaque);
    /* Formatter: append the driver's elements to BUF (at its indentation);
     * they go after <blockjobs> and before <domain>. VM is locked. */
    void (*format)(DomainObj *vm, QvirtBuffer *buf, gpointer opaque);
    /* Parser: NODE is a child of <domstatus> that this module does not know.
     * Return 1 when the driver took it, 0 when the driver does not know it
     * either (the parser then reports it), or -1 with an error reported that
     * names FILE. */
    int (*parse_element)(DomainObj *vm, xmlNodePtr node, const char *file, gpointer opaque);
    gpointer opaque;
};

#define DOMAIN_STATUS_FILE_MODE 0600
#define DOMAIN_STATUS_DIR_MODE 0700

/* The status XML of VM (which the caller has locked). EXTRA and HOOKS may be
 * NULL. Fails (INTERNAL_ERROR) only for an object without a definition. */
char *domain_status_format(DomainObj *vm, const DomainStatusExtra *extra,
                           const DomainStatusHooks *hooks);

/* "<state_dir>/<name>.xml". */
char *domain_status_path(const char *state_dir, const char *name);

/* Write XML as the status file of domain NAME in STATE_DIR (created with mode
 * 0700 if missing), atomically. Syncs the disk: callers that hold a domain's
 * mutex may prefer to format under the mutex and write after unlocking. */
int domain_status_write(const char *state_dir, const char *name, const char *xml);

/* Format and write in one step (VM locked). */
int domain_status_save(DomainObj *vm, const char *state_dir, const DomainStatusExtra *extra,
                       const DomainStatusHooks *hooks);

/* Remove the status file of NAME; one that is already gone is fine. */
int domain_status_remove(const char *state_dir, const char *name);

/* Parse a status document. FILE_FOR_ERRORS names it in error messages. On
 * success returns a new unlocked DomainObj with one reference (not
 * persistent, not autostarted; def is the live definition; the job restored)
 * and, when RET_EXTRA is not NULL, a new DomainStatusExtra in *RET_EXTRA. */
DomainObj *domain_status_parse_string(const char *xml, const char *file_for_errors,
                                      const DomainStatusHooks *hooks,
                                      DomainStatusExtra **ret_extra);
/* The same for the file PATH. */
DomainObj *domain_status_parse_file(const char *path, const DomainStatusHooks *hooks,
                                    DomainStatusExtra **ret_extra);

/* ---- Strict parsing helpers, for the parts of the status file (block job
 * records, driver hooks). Every error is an XML_ERROR naming FILE. ---- */

/* Fail on any attribute of NODE not in ALLOWED (NULL-terminated), and on
 * text other than white space directly inside NODE. */
int domain_status_xml_check_node(xmlNodePtr node, const char *const *allowed, const char *file);

/* Attribute NAME of NODE as a string: 0 with *RET set (NULL when absent and
 * not REQUIRED), -1 when REQUIRED and absent or empty. */
int domain_status_xml_prop_string(xmlNodePtr node, const char *name, gboolean required,
                                  const char *file, char **ret);

/* Attribute NAME of NODE as a number in BASE (0 accepts "0x"): 0 with *RET
 * set (left alone when absent and not REQUIRED), -1 on error. */
int domain_status_xml_prop_ullong(xmlNodePtr node, const char *name, int base, gboolean required,
                                  const char *file, unsigned long long *ret);
int domain_status_xml_prop_uint(xmlNodePtr node, const char *name, int base, gboolean required,
                                const char *file, unsigned int *ret);

/* Attribute NAME of NODE converted by FROM_STRING: 0 with *RET set (left alone
 * when absent and not REQUIRED), -1 on error: "unknown WHAT 'value' in status
 * file 'FILE'" for a value FROM_STRING rejects. */
int domain_status_xml_prop_enum(xmlNodePtr node, const char *name, int (*from_string)(const char *),
                                gboolean required, const char *what, const char *file, int *ret);

/* Report "unexpected element <child> in <parent> of status file 'FILE'". */
void domain_status_xml_report_unexpected(xmlNodePtr node, const char *file);

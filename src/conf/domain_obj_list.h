/* domain_obj_list.h: the set of domains a driver knows, indexed by name,
 * UUID and id; adding with libvirt's conflict rules; listing with libvirt's
 * filter flags; loading the config and status folders at start; and the
 * config files and autostart links on disk.
 *
 * Contract:
 * - The list has its own mutex. Lock order: the LIST BEFORE a VM. Nothing
 *   here takes the list lock while holding a vm lock, and callers must not
 *   either (domain_obj_list_remove() drops the caller's vm lock first and
 *   takes it back, in that order).
 * - Lookups return the object with a new reference and NOT locked: the caller
 *   locks it, checks vm->removing (a removed object is no longer listed but
 *   may still be referenced) and unrefs it when done.
 * - Ids: each domain that starts takes domain_obj_list_next_id(); ids are
 *   never reused while the daemon runs.
 * - Loading: one file that cannot be read or parsed is reported (logged as
 *   an error) and skipped; it never stops the others. A status file that
 *   cannot be parsed is renamed to "<name>.xml.corrupt-<timestamp>" so the
 *   next start does not trip on it again.
 * - Config files are `<configDir>/<name>.xml` (the inactive XML, written
 *   atomically, mode 0600); autostart is a symbolic link
 *   `<configDir>/autostart/<name>.xml` pointing at the config file, as in
 *   libvirt. */
#pragma once

#include <glib.h>

#include "conf/domain_obj.h"
#include "conf/domain_status.h"

/* libvirt's VIR_CONNECT_LIST_DOMAINS_* bits. */
typedef enum {
    DOMAIN_LIST_ACTIVE = 1 << 0,
    DOMAIN_LIST_INACTIVE = 1 << 1,
    DOMAIN_LIST_PERSISTENT = 1 << 2,
    DOMAIN_LIST_TRANSIENT = 1 << 3,
    DOMAIN_LIST_RUNNING = 1 << 4,
    DOMAIN_LIST_PAUSED = 1 << 5,
    DOMAIN_LIST_SHUTOFF = 1 << 6,
    DOMAIN_LIST_OTHER = 1 << 7,
    DOMAIN_LIST_MANAGEDSAVE = 1 << 8,
    DOMAIN_LIST_NO_MANAGEDSAVE = 1 << 9,
    DOMAIN_LIST_AUTOSTART = 1 << 10,
    DOMAIN_LIST_NO_AUTOSTART = 1 << 11,
    DOMAIN_LIST_HAS_SNAPSHOT = 1 << 12,
    DOMAIN_LIST_NO_SNAPSHOT = 1 << 13,
    DOMAIN_LIST_HAS_CHECKPOINT = 1 << 14,
    DOMAIN_LIST_NO_CHECKPOINT = 1 << 15,
} DomainListFlags;

#define DOMAIN_LIST_FILTERS_ALL ((1U << 16) - 1)

/* Flags of domain_obj_list_add(). */
typedef enum {
    /* DEF is a live definition (a domain being started): a new object is
     * transient; an existing inactive one keeps its persistent definition as
     * new_def and runs DEF. */
    DOMAIN_OBJ_LIST_ADD_LIVE = 1 << 0,
    /* Fail when the existing object is running (OPERATION_INVALID) or is a
     * transient domain being started. */
    DOMAIN_OBJ_LIST_ADD_CHECK_LIVE = 1 << 1,
} DomainObjListAddFlags;

typedef struct _DomainObjList DomainObjList;

DomainObjList *domain_obj_list_new(void);
/* Drops the list's references; objects others hold stay alive. Accepts NULL. */
void domain_obj_list_free(DomainObjList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainObjList, domain_obj_list_free)

/* Lookups: a new reference, unlocked, or NULL with NO_DOMAIN reported. */
DomainObj *domain_obj_list_find_by_name(DomainObjList *list, const char *name);
DomainObj *domain_obj_list_find_by_uuid(DomainObjList *list, const unsigned char *uuid);
/* Only running domains have an id. */
DomainObj *domain_obj_list_find_by_id(DomainObjList *list, int id);

/* Add *DEF or redefine an existing domain with it (libvirt's rules):
 * - same UUID, same name: the object's definition is replaced (persistent
 *   definition; for a running domain it becomes new_def); the old persistent
 *   definition goes to *RET_OLD_DEF when that is not NULL, else is freed;
 * - same UUID, other name: OPERATION_FAILED "domain 'a' is already defined
 *   with uuid U";
 * - same name, other UUID: DOM_EXIST "domain 'a' already exists with uuid U";
 * - otherwise a new object (persistent unless ADD_LIVE).
 * On success *DEF is taken (set to NULL) and the object is returned with a
 * new reference AND LOCKED. On failure *DEF is left to the caller. */
DomainObj *domain_obj_list_add(DomainObjList *list, DomainDef **def, unsigned int flags,
                               DomainDef **ret_old_def);

/* Take VM out of the list: set vm->removing and wake every job waiter. The
 * caller holds a reference and VM's lock; the lock is dropped and taken back
 * (list, then vm), so re-check the object's state afterwards. The caller's
 * reference stays the caller's. Removing an object not in the list is a
 * no-op. */
void domain_obj_list_remove(DomainObjList *list, DomainObj *vm);

/* A new id for a domain that starts (1, 2, ...). */
int domain_obj_list_next_id(DomainObjList *list);

/* Counts of running (ACTIVE) or defined-but-stopped (!ACTIVE) domains. */
int domain_obj_list_num_of_domains(DomainObjList *list, gboolean active);

/* Per-domain facts that live outside the domain object; each may be NULL
 * (meaning "none"). Called with the vm locked. */
typedef struct {
    gboolean (*has_managed_save)(DomainObj *vm, gpointer opaque);
    int (*num_snapshots)(DomainObj *vm, gpointer opaque);
    int (*num_checkpoints)(DomainObj *vm, gpointer opaque);
    /* Further filter, e.g. access control: FALSE drops the domain. */
    gboolean (*filter)(DomainObj *vm, gpointer opaque);
    gpointer opaque;
} DomainObjListFilterHooks;

/* libvirt's list-all: every domain matching FLAGS (DomainListFlags; bits in
 * one group are ORed, groups are ANDed; no bit of a group = no condition),
 * sorted by name, each with a new reference (unlocked). Returns a new array
 * whose free function unrefs, or NULL with INVALID_ARG for unknown flags.
 * HOOKS may be NULL. */
GPtrArray *domain_obj_list_collect(DomainObjList *list, unsigned int flags,
                                   const DomainObjListFilterHooks *hooks);

/* ---- files ---- */

/* Load every "<config_dir>/NAME.xml" as a persistent, shut off domain (or
 * as the persistent definition of a running domain already loaded from its
 * status file), with the autostart flag from its link. A missing folder
 * counts as empty. Returns the number of domains loaded; -1 only when the
 * folder exists but cannot be read. */
int domain_obj_list_load_configs(DomainObjList *list, const char *config_dir);

/* Called for each status file loaded, with the object locked; takes EXTRA
 * (monitor, block jobs). Return 0, or -1 with an error reported to drop the
 * domain (the file is then left alone). */
typedef int (*DomainObjListStatusFunc)(DomainObj *vm, DomainStatusExtra *extra, gpointer opaque);

/* Load every status file "<state_dir>/NAME.xml" as a running, transient domain
 * (the file name must be the domain's name). Call it BEFORE
 * domain_obj_list_load_configs(), as libvirt does: a config of the same name
 * and UUID then becomes the running domain's new_def and makes it persistent,
 * and a config that clashes with a running domain is the one skipped. Later
 * ids start above the highest id loaded. Returns the number of domains
 * loaded, or -1 when the folder exists but cannot be read. LOADED may be
 * NULL (EXTRA is then freed). */
int domain_obj_list_load_status(DomainObjList *list, const char *state_dir,
                                const DomainStatusHooks *hooks, DomainObjListStatusFunc loaded,
                                gpointer opaque);

/* "<config_dir>/<name>.xml" and "<config_dir>/autostart/<name>.xml". */
char *domain_obj_list_config_path(const char *config_dir, const char *name);
char *domain_obj_list_autostart_path(const char *config_dir, const char *name);

/* Write DEF's inactive XML to its config file atomically (CONFIG_DIR is
 * created with mode 0700 when missing). */
int domain_obj_list_save_config(const char *config_dir, const DomainDef *def);
/* Remove the config file and the autostart link of NAME; files already gone
 * are fine. */
int domain_obj_list_delete_config(const char *config_dir, const char *name);
/* Create or remove the autostart link of NAME. */
int domain_obj_list_set_autostart(const char *config_dir, const char *name, gboolean autostart);

/* domain_obj_list.c: the domain object list, its lookups, filters and the
 * config/status folders (see domain_obj_list.h for the contract).
 *
 * Locking: the list mutex is a LEAF lock. While holding it this file never
 * takes a vm lock (only error reporting, whose logging lock is itself a
 * leaf, may run under it), so callers may hold a vm lock while
 * calling any function here except domain_obj_list_add() (which locks the
 * object it returns) and domain_obj_list_remove() (which drops and retakes
 * the caller's lock). Names and UUIDs are the list's own copies, so conflict
 * checks need no vm lock; anything else about a domain (its id, state,
 * flags) is read by taking a snapshot of references under the list lock and
 * then locking each object on its own. */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/domain_job.h"
#include "conf/domain_obj_list.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

QVIRT_LOG_INIT("conf.domain_obj_list");

#define DOMAIN_CONFIG_FILE_MODE 0600
#define DOMAIN_CONFIG_DIR_MODE 0700

typedef struct {
    DomainObj *vm; /* one reference */
    char *name;
    unsigned char uuid[QVIRT_UUID_BUFLEN];
} DomainObjListEntry;

struct _DomainObjList {
    QvirtMutex lock;
    GHashTable *by_name; /* name -> DomainObjListEntry (owned) */
    GHashTable *by_uuid; /* canonical UUID string -> DomainObjListEntry (borrowed) */
    int next_id;         /* last id handed out */
};

static void
domain_obj_list_entry_free(gpointer data)
{
    DomainObjListEntry *entry = data;

    domain_obj_unref(entry->vm);
    g_free(entry->name);
    g_free(entry);
}

DomainObjList *
domain_obj_list_new(void)
{
    DomainObjList *list = g_new0(DomainObjList, 1);

    qvirt_mutex_init(&list->lock);
    list->by_name =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, domain_obj_list_entry_free);
    list->by_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return list;
}

void
domain_obj_list_free(DomainObjList *list)
{
    if (!list)
        return;
    g_hash_table_destroy(list->by_uuid);
    g_hash_table_destroy(list->by_name);
    qvirt_mutex_clear(&list->lock);
    g_free(list);
}

/* ---- internals, list lock held ---- */

static DomainObjListEntry *
list_lookup_uuid_locked(DomainObjList *list, const unsigned char *uuid)
{
    char uuidstr[QVIRT_UUID_STRING_BUFLEN];

    qvirt_uuid_format(uuid, uuidstr);
    return g_hash_table_lookup(list->by_uuid, uuidstr);
}

static void
list_insert_locked(DomainObjList *list, DomainObj *vm)
{
    DomainObjListEntry *entry = g_new0(DomainObjListEntry, 1);
    char uuidstr[QVIRT_UUID_STRING_BUFLEN];

    entry->vm = domain_obj_ref(vm);
    entry->name = g_strdup(vm->def->name);
    memcpy(entry->uuid, vm->def->uuid, QVIRT_UUID_BUFLEN);
    qvirt_uuid_format(entry->uuid, uuidstr);
    g_hash_table_insert(list->by_uuid, g_strdup(uuidstr), entry);
    g_hash_table_insert(list->by_name, entry->name, entry);
}

/* Check that DEF may become a new object: no name or UUID in use. */
static int
list_check_new_locked(DomainObjList *list, const DomainDef *def)
{
    DomainObjListEntry *entry;
    char uuidstr[QVIRT_UUID_STRING_BUFLEN];

    if ((entry = list_lookup_uuid_locked(list, def->uuid))) {
        qvirt_uuid_format(entry->uuid, uuidstr);
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("domain '%s' is already defined with uuid %s"), entry->name, uuidstr);
        return -1;
    }
    if ((entry = g_hash_table_lookup(list->by_name, def->name))) {
        qvirt_uuid_format(entry->uuid, uuidstr);
        qvirt_report_error(QVIRT_ERR_DOM_EXIST, _("domain '%s' already exists with uuid %s"),
                           entry->name, uuidstr);
        return -1;
    }
    return 0;
}

static gint
list_entry_cmp_name(gconstpointer a, gconstpointer b)
{
    const DomainObjListEntry *ea = *(DomainObjListEntry *const *)a;
    const DomainObjListEntry *eb = *(DomainObjListEntry *const *)b;

    return strcmp(ea->name, eb->name);
}

/* References to every object, sorted by name; free with g_ptr_array_unref. */
static GPtrArray *
list_snapshot(DomainObjList *list)
{
    g_autoptr(GPtrArray) entries = g_ptr_array_new();
    GPtrArray *vms;
    GHashTableIter iter;
    gpointer value;

    qvirt_mutex_lock(&list->lock);
    g_hash_table_iter_init(&iter, list->by_name);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(entries, value);
    g_ptr_array_sort(entries, list_entry_cmp_name);
    vms = g_ptr_array_new_full(entries->len, (GDestroyNotify)domain_obj_unref);
    for (guint i = 0; i < entries->len; i++) {
        DomainObjListEntry *entry = g_ptr_array_index(entries, i);

        g_ptr_array_add(vms, domain_obj_ref(entry->vm));
    }
    qvirt_mutex_unlock(&list->lock);
    return vms;
}

/* ---- lookups ---- */

DomainObj *
domain_obj_list_find_by_name(DomainObjList *list, const char *name)
{
    DomainObjListEntry *entry;
    DomainObj *vm = NULL;

    qvirt_mutex_lock(&list->lock);
    if (name && (entry = g_hash_table_lookup(list->by_name, name)))
        vm = domain_obj_ref(entry->vm);
    qvirt_mutex_unlock(&list->lock);
    if (!vm)
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, _("no domain with matching name '%s'"),
                           name ? name : "");
    return vm;
}

DomainObj *
domain_obj_list_find_by_uuid(DomainObjList *list, const unsigned char *uuid)
{
    DomainObjListEntry *entry;
    DomainObj *vm = NULL;
    char uuidstr[QVIRT_UUID_STRING_BUFLEN];

    qvirt_mutex_lock(&list->lock);
    if ((entry = list_lookup_uuid_locked(list, uuid)))
        vm = domain_obj_ref(entry->vm);
    qvirt_mutex_unlock(&list->lock);
    if (!vm) {
        qvirt_uuid_format(uuid, uuidstr);
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, _("no domain with matching uuid '%s'"), uuidstr);
    }
    return vm;
}

DomainObj *
domain_obj_list_find_by_id(DomainObjList *list, int id)
{
    g_autoptr(GPtrArray) vms = list_snapshot(list);

    for (guint i = 0; id >= 0 && i < vms->len; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);
        gboolean match;

        domain_obj_lock(vm);
        match = !vm->removing && vm->def && vm->def->id == id;
        domain_obj_unlock(vm);
        if (match)
            return domain_obj_ref(vm);
    }
    qvirt_report_error(QVIRT_ERR_NO_DOMAIN, _("no domain with matching id %d"), id);
    return NULL;
}

/* ---- add and remove ---- */

/* libvirt's rules for giving an existing object a new definition. */
static void
list_assign_def(DomainObj *vm, DomainDef **def, gboolean live, DomainDef **ret_old_def)
{
    DomainDef *old = NULL;

    if (domain_obj_is_active(vm)) {
        /* Running: the new persistent definition waits for the next start. */
        old = vm->new_def;
        vm->new_def = g_steal_pointer(def);
        vm->persistent = vm->persistent || !live;
    } else if (live) {
        /* Starting: keep the persistent definition for after shut off. */
        if (!vm->new_def)
            vm->new_def = vm->def;
        else
            domain_def_free(vm->def);
        vm->def = g_steal_pointer(def);
    } else {
        old = vm->def;
        vm->def = g_steal_pointer(def);
        vm->persistent = TRUE;
    }
    if (ret_old_def)
        *ret_old_def = old;
    else
        domain_def_free(old);
}

static DomainObj *
list_add_existing(DomainObj *vm, DomainDef **def, unsigned int flags, DomainDef **ret_old_def)
{
    domain_obj_lock(vm);
    if (vm->removing) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("domain '%s' is already being removed"),
                           (*def)->name);
        goto error;
    }
    if (flags & DOMAIN_OBJ_LIST_ADD_CHECK_LIVE) {
        if (domain_obj_is_active(vm)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain '%s' is already active"),
                               (*def)->name);
            goto error;
        }
        if (!vm->persistent) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("domain '%s' is already being started"), (*def)->name);
            goto error;
        }
    }
    list_assign_def(vm, def, !!(flags & DOMAIN_OBJ_LIST_ADD_LIVE), ret_old_def);
    return vm;

error:
    domain_obj_unlock(vm);
    domain_obj_unref(vm);
    return NULL;
}

DomainObj *
domain_obj_list_add(DomainObjList *list, DomainDef **def, unsigned int flags,
                    DomainDef **ret_old_def)
{
    DomainObjListEntry *entry;
    DomainObj *fresh;
    DomainObj *vm;
    char uuidstr[QVIRT_UUID_STRING_BUFLEN];

    if (!def || !*def || !(*def)->name) {
        qvirt_report_internal(_("cannot add a domain without a definition or a name"));
        return NULL;
    }

    /* A new object, made and locked before the list lock is taken (which is
     * a leaf), so the lookup and the insertion are one critical section. It
     * is thrown away when the domain exists. */
    fresh = domain_obj_new(NULL);
    domain_obj_lock(fresh);

    qvirt_mutex_lock(&list->lock);
    if ((entry = list_lookup_uuid_locked(list, (*def)->uuid))) {
        g_autofree char *other_name = g_strdup(entry->name);

        vm = domain_obj_ref(entry->vm);
        qvirt_uuid_format(entry->uuid, uuidstr);
        qvirt_mutex_unlock(&list->lock);
        domain_obj_unlock(fresh);
        domain_obj_unref(fresh);
        if (!g_str_equal(other_name, (*def)->name)) {
            domain_obj_unref(vm);
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("domain '%s' is already defined with uuid %s"), other_name,
                               uuidstr);
            return NULL;
        }
        /* Name and UUID stay bound to VM until it is removed, and removal
         * sets vm->removing first, which list_add_existing checks. */
        return list_add_existing(vm, def, flags, ret_old_def);
    }
    fresh->def = *def;
    if (list_check_new_locked(list, fresh->def) < 0) {
        qvirt_mutex_unlock(&list->lock);
        fresh->def = NULL;
        domain_obj_unlock(fresh);
        domain_obj_unref(fresh);
        return NULL;
    }
    list_insert_locked(list, fresh);
    qvirt_mutex_unlock(&list->lock);

    *def = NULL;
    fresh->persistent = !(flags & DOMAIN_OBJ_LIST_ADD_LIVE);
    if (ret_old_def)
        *ret_old_def = NULL;
    return fresh;
}

/* Drop the entry of VM, if VM is still the object listed under NAME. */
static void
list_remove_entry(DomainObjList *list, DomainObj *vm, const char *name)
{
    DomainObjListEntry *entry;
    char uuidstr[QVIRT_UUID_STRING_BUFLEN];

    qvirt_mutex_lock(&list->lock);
    entry = g_hash_table_lookup(list->by_name, name);
    if (entry && entry->vm == vm) {
        qvirt_uuid_format(entry->uuid, uuidstr);
        g_hash_table_remove(list->by_uuid, uuidstr);
        g_hash_table_remove(list->by_name, name); /* frees ENTRY and its reference */
    }
    qvirt_mutex_unlock(&list->lock);
}

void
domain_obj_list_remove(DomainObjList *list, DomainObj *vm)
{
    g_autofree char *name = g_strdup(domain_obj_get_name(vm));

    vm->removing = TRUE;
    domain_job_wake_all(vm);
    /* The list lock is a leaf: never take it with a vm lock held. */
    domain_obj_unlock(vm);
    list_remove_entry(list, vm, name);
    domain_obj_lock(vm);
}

int
domain_obj_list_next_id(DomainObjList *list)
{
    int id;

    qvirt_mutex_lock(&list->lock);
    id = ++list->next_id;
    qvirt_mutex_unlock(&list->lock);
    return id;
}

static void
list_bump_next_id(DomainObjList *list, int used_id)
{
    qvirt_mutex_lock(&list->lock);
    if (used_id > list->next_id)
        list->next_id = used_id;
    qvirt_mutex_unlock(&list->lock);
}

/* ---- listing ---- */

int
domain_obj_list_num_of_domains(DomainObjList *list, gboolean active)
{
    g_autoptr(GPtrArray) vms = list_snapshot(list);
    int count = 0;

    for (guint i = 0; i < vms->len; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);

        domain_obj_lock(vm);
        if (!vm->removing && !!domain_obj_is_active(vm) == !!active)
            count++;
        domain_obj_unlock(vm);
    }
    return count;
}

/* Whether a group of filter bits is satisfied: no bit of the group set means
 * no condition; otherwise YES_BIT admits facts that hold, NO_BIT those that
 * do not. */
static gboolean
list_group_match(unsigned int flags, unsigned int yes_bit, unsigned int no_bit, gboolean fact)
{
    if (!(flags & (yes_bit | no_bit)))
        return TRUE;
    return fact ? !!(flags & yes_bit) : !!(flags & no_bit);
}

/* VM locked. */
static gboolean
list_vm_matches(DomainObj *vm, unsigned int flags, const DomainObjListFilterHooks *hooks)
{
    int state = domain_obj_get_state(vm, NULL);
    gpointer opaque = hooks ? hooks->opaque : NULL;

    if (vm->removing)
        return FALSE;
    if (!list_group_match(flags, DOMAIN_LIST_ACTIVE, DOMAIN_LIST_INACTIVE,
                          domain_obj_is_active(vm)))
        return FALSE;
    if (!list_group_match(flags, DOMAIN_LIST_PERSISTENT, DOMAIN_LIST_TRANSIENT, vm->persistent))
        return FALSE;
    if (flags &
        (DOMAIN_LIST_RUNNING | DOMAIN_LIST_PAUSED | DOMAIN_LIST_SHUTOFF | DOMAIN_LIST_OTHER)) {
        gboolean ok = FALSE;

        if (state == DOMAIN_STATE_RUNNING)
            ok = !!(flags & DOMAIN_LIST_RUNNING);
        else if (state == DOMAIN_STATE_PAUSED)
            ok = !!(flags & DOMAIN_LIST_PAUSED);
        else if (state == DOMAIN_STATE_SHUTOFF)
            ok = !!(flags & DOMAIN_LIST_SHUTOFF);
        else
            ok = !!(flags & DOMAIN_LIST_OTHER);
        if (!ok)
            return FALSE;
    }
    if (flags & (DOMAIN_LIST_MANAGEDSAVE | DOMAIN_LIST_NO_MANAGEDSAVE)) {
        gboolean saved = hooks && hooks->has_managed_save && hooks->has_managed_save(vm, opaque);

        if (!list_group_match(flags, DOMAIN_LIST_MANAGEDSAVE, DOMAIN_LIST_NO_MANAGEDSAVE, saved))
            return FALSE;
    }
    if (!list_group_match(flags, DOMAIN_LIST_AUTOSTART, DOMAIN_LIST_NO_AUTOSTART, vm->autostart))
        return FALSE;
    if (flags & (DOMAIN_LIST_HAS_SNAPSHOT | DOMAIN_LIST_NO_SNAPSHOT)) {
        gboolean has = hooks && hooks->num_snapshots && hooks->num_snapshots(vm, opaque) > 0;

        if (!list_group_match(flags, DOMAIN_LIST_HAS_SNAPSHOT, DOMAIN_LIST_NO_SNAPSHOT, has))
            return FALSE;
    }
    if (flags & (DOMAIN_LIST_HAS_CHECKPOINT | DOMAIN_LIST_NO_CHECKPOINT)) {
        gboolean has = hooks && hooks->num_checkpoints && hooks->num_checkpoints(vm, opaque) > 0;

        if (!list_group_match(flags, DOMAIN_LIST_HAS_CHECKPOINT, DOMAIN_LIST_NO_CHECKPOINT, has))
            return FALSE;
    }
    if (hooks && hooks->filter && !hooks->filter(vm, opaque))
        return FALSE;
    return TRUE;
}

GPtrArray *
domain_obj_list_collect(DomainObjList *list, unsigned int flags,
                        const DomainObjListFilterHooks *hooks)
{
    g_autoptr(GPtrArray) vms = NULL;
    GPtrArray *result;

    if (flags & ~DOMAIN_LIST_FILTERS_ALL) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unsupported flags (0x%x) for listing domains"),
                           flags & ~DOMAIN_LIST_FILTERS_ALL);
        return NULL;
    }
    vms = list_snapshot(list);
    result = g_ptr_array_new_with_free_func((GDestroyNotify)domain_obj_unref);
    for (guint i = 0; i < vms->len; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);
        gboolean match;

        domain_obj_lock(vm);
        match = list_vm_matches(vm, flags, hooks);
        domain_obj_unlock(vm);
        if (match)
            g_ptr_array_add(result, domain_obj_ref(vm));
    }
    return result;
}

/* ---- files ---- */

char *
domain_obj_list_config_path(const char *config_dir, const char *name)
{
    g_autofree char *base = g_strdup_printf("%s.xml", name);

    return g_build_filename(config_dir, base, NULL);
}

char *
domain_obj_list_autostart_path(const char *config_dir, const char *name)
{
    g_autofree char *base = g_strdup_printf("%s.xml", name);

    return g_build_filename(config_dir, "autostart", base, NULL);
}

int
domain_obj_list_save_config(const char *config_dir, const DomainDef *def)
{
    g_autofree char *xml = NULL;
    g_autofree char *path = NULL;

    if (domain_def_validate_name(def->name) < 0)
        return -1;
    if (!(xml = domain_def_format(def, DOMAIN_DEF_FORMAT_INACTIVE)))
        return -1;
    if (qvirt_dir_make_parents(config_dir, DOMAIN_CONFIG_DIR_MODE) < 0)
        return -1;
    path = domain_obj_list_config_path(config_dir, def->name);
    return qvirt_file_write_atomic_str(path, xml, DOMAIN_CONFIG_FILE_MODE);
}

int
domain_obj_list_delete_config(const char *config_dir, const char *name)
{
    g_autofree char *path = NULL;
    g_autofree char *link = NULL;

    if (domain_def_validate_name(name) < 0)
        return -1;
    link = domain_obj_list_autostart_path(config_dir, name);
    path = domain_obj_list_config_path(config_dir, name);
    if (qvirt_file_remove(link) < 0 || qvirt_file_remove(path) < 0)
        return -1;
    return 0;
}

int
domain_obj_list_set_autostart(const char *config_dir, const char *name, gboolean autostart)
{
    g_autofree char *link = NULL;
    g_autofree char *path = NULL;
    g_autofree char *dir = NULL;
    struct stat sb;

    if (domain_def_validate_name(name) < 0)
        return -1;
    link = domain_obj_list_autostart_path(config_dir, name);
    if (!autostart)
        return qvirt_file_remove(link);

    path = domain_obj_list_config_path(config_dir, name);
    dir = g_path_get_dirname(link);
    if (qvirt_dir_make_parents(dir, DOMAIN_CONFIG_DIR_MODE) < 0)
        return -1;
    if (lstat(link, &sb) == 0) {
        if (S_ISLNK(sb.st_mode))
            return 0;
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("cannot mark domain '%s' for autostart: '%s' exists and is not a "
                             "symbolic link"),
                           name, link);
        return -1;
    }
    if (symlink(path, link) < 0 && errno != EEXIST) {
        qvirt_report_system_error(errno, _("cannot create autostart link '%s' to '%s'"), link,
                                  path);
        return -1;
    }
    return 0;
}

static gboolean
list_autostart_link_exists(const char *config_dir, const char *name)
{
    g_autofree char *link = domain_obj_list_autostart_path(config_dir, name);
    struct stat sb;

    return lstat(link, &sb) == 0;
}

/* g_ptr_array_sort passes pointers to the elements. */
static gint
list_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the regular "*.xml" files in DIR (hidden ones, such as the
 * temporary files of atomic writes, are skipped), sorted. *RET_NAMES is an
 * empty list when DIR does not exist. */
static int
list_read_xml_names(const char *dir, GPtrArray **ret_names)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    GDir *gdir;
    const char *entry;

    if (!(gdir = g_dir_open(dir, 0, &err))) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            *ret_names = g_steal_pointer(&names);
            return 0;
        }
        qvirt_report_error(QVIRT_ERR_OPEN_FAILED, _("cannot read folder '%s': %s"), dir,
                           err->message);
        return -1;
    }
    while ((entry = g_dir_read_name(gdir))) {
        g_autofree char *path = NULL;

        if (entry[0] == '.' || !g_str_has_suffix(entry, ".xml") || strlen(entry) == 4)
            continue;
        path = g_build_filename(dir, entry, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
            continue;
        g_ptr_array_add(names, g_strndup(entry, strlen(entry) - 4));
    }
    g_dir_close(gdir);
    g_ptr_array_sort(names, list_name_cmp);
    *ret_names = g_steal_pointer(&names);
    return 0;
}

static int
list_check_file_name(const DomainDef *def, const char *name, const char *path)
{
    if (!g_str_equal(def->name, name)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("file '%s' holds domain '%s', but its name says '%s'"), path,
                           def->name, name);
        return -1;
    }
    return 0;
}

static int
list_load_config(DomainObjList *list, const char *config_dir, const char *name)
{
    g_autofree char *path = domain_obj_list_config_path(config_dir, name);
    g_autofree char *xml = NULL;
    g_autoptr(DomainDef) def = NULL;
    DomainObj *vm;

    if (qvirt_file_read_limited(path, QVIRT_XML_MAX_FILE_SIZE, &xml, NULL) < 0)
        return -1;
    if (!(def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE))) {
        g_autoptr(QvirtError) cause = qvirt_error_save();

        qvirt_report_error(cause && cause->code ? cause->code : QVIRT_ERR_XML_ERROR,
                           _("invalid config file '%s': %s"), path,
                           cause && cause->message ? cause->message : _("unknown error"));
        return -1;
    }
    if (list_check_file_name(def, name, path) < 0)
        return -1;
    if (!(vm = domain_obj_list_add(list, &def, 0, NULL)))
        return -1;
    vm->autostart = list_autostart_link_exists(config_dir, name);
    domain_obj_unlock(vm);
    domain_obj_unref(vm);
    return 0;
}

int
domain_obj_list_load_configs(DomainObjList *list, const char *config_dir)
{
    g_autoptr(GPtrArray) names = NULL;
    int loaded = 0;

    if (list_read_xml_names(config_dir, &names) < 0)
        return -1;
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);

        if (list_load_config(list, config_dir, name) < 0) {
            QVIRT_ERROR("skipping domain config '%s' in '%s': %s", name, config_dir,
                        qvirt_error_last_message());
            qvirt_error_reset();
            continue;
        }
        loaded++;
    }
    return loaded;
}

/* Rename a status file that cannot be parsed out of the way. */
static void
list_move_aside(const char *path)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
    g_autofree char *aside = g_strdup_printf("%s.corrupt-%s", path, stamp);

    if (rename(path, aside) < 0) {
        QVIRT_ERROR("cannot move unusable status file '%s' aside to '%s': %s", path, aside,
                    g_strerror(errno));
        return;
    }
    QVIRT_WARN("moved unusable status file '%s' aside to '%s'", path, aside);
}

/* Returns 1 when loaded, 0 when skipped (error logged), and never fails the
 * whole load. */
static int
list_load_status(DomainObjList *list, const char *state_dir, const char *name,
                 const DomainStatusHooks *hooks, DomainObjListStatusFunc loaded, gpointer opaque)
{
    g_autofree char *path = domain_status_path(state_dir, name);
    g_autofree char *xml = NULL;
    g_autoptr(DomainObj) vm = NULL;
    DomainStatusExtra *extra = NULL;
    int id;

    if (qvirt_file_read_limited(path, QVIRT_XML_MAX_FILE_SIZE, &xml, NULL) < 0) {
        QVIRT_ERROR("skipping status file '%s': %s", path, qvirt_error_last_message());
        return 0;
    }
    if (!(vm = domain_status_parse_string(xml, path, hooks, &extra)) ||
        list_check_file_name(vm->def, name, path) < 0) {
        QVIRT_ERROR("cannot load status file: %s", qvirt_error_last_message());
        domain_status_extra_free(extra);
        list_move_aside(path);
        return 0;
    }

    domain_obj_lock(vm);
    qvirt_mutex_lock(&list->lock);
    if (list_check_new_locked(list, vm->def) < 0) {
        qvirt_mutex_unlock(&list->lock);
        domain_obj_unlock(vm);
        domain_status_extra_free(extra);
        QVIRT_ERROR("skipping status file '%s': %s", path, qvirt_error_last_message());
        return 0;
    }
    list_insert_locked(list, vm);
    qvirt_mutex_unlock(&list->lock);
    id = vm->def->id;

    if (loaded) {
        if (loaded(vm, extra, opaque) < 0) {
            QVIRT_ERROR("dropping domain '%s' loaded from '%s': %s", name, path,
                        qvirt_error_last_message());
            domain_obj_list_remove(list, vm);
            domain_obj_unlock(vm);
            return 0;
        }
    } else {
        domain_status_extra_free(extra);
    }
    domain_obj_unlock(vm);
    list_bump_next_id(list, id);
    return 1;
}

int
domain_obj_list_load_status(DomainObjList *list, const char *state_dir,
                            const DomainStatusHooks *hooks, DomainObjListStatusFunc loaded,
                            gpointer opaque)
{
    g_autoptr(GPtrArray) names = NULL;
    int count = 0;

    if (list_read_xml_names(state_dir, &names) < 0)
        return -1;
    for (guint i = 0; i < names->len; i++) {
        count +=
            list_load_status(list, state_dir, g_ptr_array_index(names, i), hooks, loaded, opaque);
        qvirt_error_reset();
    }
    return count;
}

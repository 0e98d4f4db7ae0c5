/* qemu_migration_cookie.c: the migration cookie: building, formatting and
 * parsing the <qemu-migration> document (see qemu_migration_cookie.h for
 * the contract).
 *
 * Parsing walks the children of <qemu-migration> once, remembering each
 * known element (a second one is an error), then checks the identity
 * elements, the host UUID and the mandatory features before it reads any
 * section. <domain> and <cpu> are copied out as text by a small serializer
 * of our own, so that quoting and escaping are libvirt's and a copy that is
 * formatted and parsed again comes back identical. */
#include <config.h>

#include <stddef.h>
#include <string.h>

#include "qemu/qemu_migration_cookie.h"
#include "util/error.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/strnum.h"
#include "util/xml.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.migration_cookie");

/* The indentation of one level, as libvirt writes it. */
#define COOKIE_INDENT "  "

/* The sections in the order their <feature> markers and elements are
 * written (libvirt's order), with their feature names. */
static const struct {
    unsigned int bit;
    const char *feature;
} cookie_sections[] = {
    {QEMU_MIGRATION_COOKIE_LOCKSTATE, "lockstate"},
    {QEMU_MIGRATION_COOKIE_PERSISTENT, "persistent"},
    {QEMU_MIGRATION_COOKIE_NBD, "nbd"},
    {QEMU_MIGRATION_COOKIE_STATS, "statistics"},
    {QEMU_MIGRATION_COOKIE_CPU, "cpu"},
    {QEMU_MIGRATION_COOKIE_CAPS, "capabilities"},
};

/* The <statistics> children qvirt keeps, in the order they are written.
 * Signed fields are times (gint64), the others sizes and counts (guint64). */
typedef enum {
    COOKIE_STAT_ALWAYS,   /* written every time */
    COOKIE_STAT_DOWNTIME, /* written when downtime_set */
    COOKIE_STAT_NONZERO,  /* written when not 0 */
} CookieStatPresence;

static const struct {
    const char *name;
    size_t offset;
    gboolean is_signed;
    CookieStatPresence presence;
} cookie_stats[] = {
    {"started", offsetof(DomainJobStats, started_ms), TRUE, COOKIE_STAT_ALWAYS},
    {"time_elapsed", offsetof(DomainJobStats, time_elapsed_ms), TRUE, COOKIE_STAT_ALWAYS},
    {"downtime", offsetof(DomainJobStats, downtime_ms), TRUE, COOKIE_STAT_DOWNTIME},
    {"setup_time", offsetof(DomainJobStats, setup_time_ms), TRUE, COOKIE_STAT_NONZERO},
    {"memory_total", offsetof(DomainJobStats, mem_total), FALSE, COOKIE_STAT_ALWAYS},
    {"memory_processed", offsetof(DomainJobStats, mem_processed), FALSE, COOKIE_STAT_ALWAYS},
    {"memory_remaining", offsetof(DomainJobStats, mem_remaining), FALSE, COOKIE_STAT_ALWAYS},
    {"memory_bps", offsetof(DomainJobStats, mem_bps), FALSE, COOKIE_STAT_ALWAYS},
    {"memory_dirty_rate", offsetof(DomainJobStats, mem_dirty_rate), FALSE, COOKIE_STAT_ALWAYS},
    {"memory_iteration", offsetof(DomainJobStats, mem_iteration), FALSE, COOKIE_STAT_ALWAYS},
    {"memory_postcopy_requests", offsetof(DomainJobStats, mem_postcopy_requests), FALSE,
     COOKIE_STAT_ALWAYS},
    {"memory_page_size", offsetof(DomainJobStats, mem_page_size), FALSE, COOKIE_STAT_ALWAYS},
    {"disk_total", offsetof(DomainJobStats, disk_total), FALSE, COOKIE_STAT_ALWAYS},
    {"disk_processed", offsetof(DomainJobStats, disk_processed), FALSE, COOKIE_STAT_ALWAYS},
    {"disk_remaining", offsetof(DomainJobStats, disk_remaining), FALSE, COOKIE_STAT_ALWAYS},
    {"disk_bps", offsetof(DomainJobStats, disk_bps), FALSE, COOKIE_STAT_ALWAYS},
};

/* ---- the object ---- */

static void
cookie_disk_free(gpointer data)
{
    QemuMigrationCookieDisk *disk = data;

    if (!disk)
        return;
    g_free(disk->target);
    g_free(disk);
}

static void
cookie_cap_free(gpointer data)
{
    QemuMigrationCookieCap *cap = data;

    if (!cap)
        return;
    g_free(cap->name);
    g_free(cap);
}

QemuMigrationCookie *
qemu_migration_cookie_new(const char *name, const unsigned char *uuid, const char *hostname,
                          const unsigned char *host_uuid)
{
    QemuMigrationCookie *cookie = g_new0(QemuMigrationCookie, 1);

    cookie->name = g_strdup(name);
    if (uuid)
        memcpy(cookie->uuid, uuid, QVIRT_UUID_BUFLEN);
    cookie->hostname = g_strdup(hostname);
    if (host_uuid)
        memcpy(cookie->host_uuid, host_uuid, QVIRT_UUID_BUFLEN);
    cookie->nbd_disks = g_ptr_array_new_with_free_func(cookie_disk_free);
    cookie->caps = g_ptr_array_new_with_free_func(cookie_cap_free);
    return cookie;
}

void
qemu_migration_cookie_free(QemuMigrationCookie *cookie)
{
    if (!cookie)
        return;
    g_free(cookie->name);
    g_free(cookie->hostname);
    g_free(cookie->lock_driver);
    g_free(cookie->lock_state);
    g_free(cookie->persistent_xml);
    g_ptr_array_unref(cookie->nbd_disks);
    g_ptr_array_unref(cookie->caps);
    g_free(cookie->cpu_xml);
    g_free(cookie);
}

static QemuMigrationCookieDisk *
cookie_find_disk(const QemuMigrationCookie *cookie, const char *target)
{
    for (guint i = 0; i < cookie->nbd_disks->len; i++) {
        QemuMigrationCookieDisk *disk = g_ptr_array_index(cookie->nbd_disks, i);

        if (g_strcmp0(disk->target, target) == 0)
            return disk;
    }
    return NULL;
}

static QemuMigrationCookieCap *
cookie_find_cap(const QemuMigrationCookie *cookie, const char *name)
{
    for (guint i = 0; i < cookie->caps->len; i++) {
        QemuMigrationCookieCap *cap = g_ptr_array_index(cookie->caps, i);

        if (g_strcmp0(cap->name, name) == 0)
            return cap;
    }
    return NULL;
}

void
qemu_migration_cookie_add_nbd_disk(QemuMigrationCookie *cookie, const char *target,
                                   unsigned long long capacity)
{
    QemuMigrationCookieDisk *disk = cookie_find_disk(cookie, target);

    if (!disk) {
        disk = g_new0(QemuMigrationCookieDisk, 1);
        disk->target = g_strdup(target);
        g_ptr_array_add(cookie->nbd_disks, disk);
    }
    disk->capacity = capacity;
    cookie->sections |= QEMU_MIGRATION_COOKIE_NBD;
}

void
qemu_migration_cookie_add_cap(QemuMigrationCookie *cookie, const char *name, gboolean enabled,
                              gboolean automatic)
{
    QemuMigrationCookieCap *cap = cookie_find_cap(cookie, name);

    if (!cap) {
        cap = g_new0(QemuMigrationCookieCap, 1);
        cap->name = g_strdup(name);
        g_ptr_array_add(cookie->caps, cap);
    }
    cap->enabled = !!enabled;
    cap->automatic = !!automatic;
    cookie->sections |= QEMU_MIGRATION_COOKIE_CAPS;
}

const QemuMigrationCookieDisk *
qemu_migration_cookie_find_nbd_disk(const QemuMigrationCookie *cookie, const char *target)
{
    if (!cookie || !target)
        return NULL;
    return cookie_find_disk(cookie, target);
}

/* ---- escaping and the raw serializer ---- */

/* Append STR escaped for XML: & < > always, ' and " too in an attribute
 * value, and the characters the parser would normalize away as character
 * references (\r anywhere; \t and \n in attributes). Control characters XML
 * cannot carry are dropped. */
static void
cookie_escape(GString *out, const char *str, gboolean attribute)
{
    qvirt_xml_escape_append(out, str,
                            attribute ? QVIRT_XML_ESCAPE_QUOTES | QVIRT_XML_ESCAPE_CR |
                                            QVIRT_XML_ESCAPE_TAB_NL
                                      : QVIRT_XML_ESCAPE_CR);
}

static void
cookie_append_qname(GString *out, xmlNsPtr ns, const xmlChar *name)
{
    if (ns && ns->prefix)
        g_string_append_printf(out, "%s:", (const char *)ns->prefix);
    g_string_append(out, (const char *)name);
}

static void
cookie_append_ns_decl(GString *out, xmlNsPtr ns)
{
    g_string_append(out, " xmlns");
    if (ns->prefix)
        g_string_append_printf(out, ":%s", (const char *)ns->prefix);
    g_string_append(out, "='");
    if (ns->href) {
        /* libxml2 keeps each '&' of a namespace name as "&#38;". */
        g_auto(GStrv) parts = g_strsplit((const char *)ns->href, "&#38;", -1);
        g_autofree char *href = g_strjoinv("&", parts);

        cookie_escape(out, href, TRUE);
    }
    g_string_append_c(out, '\'');
}

/* Append NODE as XML text. TOP: the element being copied out, which also
 * declares every namespace in scope there (they may be declared above it,
 * in the cookie). */
static void
cookie_serialize_node(GString *out, xmlDocPtr doc, xmlNodePtr node, gboolean top)
{
    switch (node->type) {
    case XML_ELEMENT_NODE:
        g_string_append_c(out, '<');
        cookie_append_qname(out, node->ns, node->name);
        if (top) {
            xmlNsPtr *in_scope = xmlGetNsList(doc, node);

            for (size_t i = 0; in_scope && in_scope[i]; i++)
                cookie_append_ns_decl(out, in_scope[i]);
            xmlFree(in_scope);
        } else {
            for (xmlNsPtr ns = node->nsDef; ns; ns = ns->next)
                cookie_append_ns_decl(out, ns);
        }
        for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
            xmlChar *value = xmlNodeGetContent((xmlNodePtr)attr);

            g_string_append_c(out, ' ');
            cookie_append_qname(out, attr->ns, attr->name);
            g_string_append(out, "='");
            cookie_escape(out, (const char *)value, TRUE);
            g_string_append_c(out, '\'');
            xmlFree(value);
        }
        if (!node->children) {
            g_string_append(out, "/>");
            break;
        }
        g_string_append_c(out, '>');
        for (xmlNodePtr child = node->children; child; child = child->next)
            cookie_serialize_node(out, doc, child, FALSE);
        g_string_append(out, "</");
        cookie_append_qname(out, node->ns, node->name);
        g_string_append_c(out, '>');
        break;
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        cookie_escape(out, (const char *)node->content, FALSE);
        break;
    case XML_COMMENT_NODE:
        g_string_append_printf(out, "<!--%s-->", node->content ? (const char *)node->content : "");
        break;
    case XML_PI_NODE:
        g_string_append_printf(out, "<?%s", (const char *)node->name);
        if (node->content && *node->content)
            g_string_append_printf(out, " %s", (const char *)node->content);
        g_string_append(out, "?>");
        break;
    default:
        /* Entity references cannot occur: the parser refuses documents
         * declaring entities, and the cookie parser any document type. */
        break;
    }
}

/* The indentation NODE has in the cookie: the blanks after the last newline
 * of the text before it ("" when there is none). */
static const char *
cookie_node_indent(xmlNodePtr node, char **ret_owned)
{
    xmlNodePtr prev = node->prev;
    const char *text;
    const char *nl;

    *ret_owned = NULL;
    if (!prev || prev->type != XML_TEXT_NODE || !prev->content)
        return "";
    text = (const char *)prev->content;
    if (!(nl = strrchr(text, '\n')))
        return "";
    nl++;
    if (nl[strspn(nl, " \t")] != '\0')
        return "";
    *ret_owned = g_strdup(nl);
    return *ret_owned;
}

/* NODE (a <domain> or <cpu> of the cookie) as text starting at column 0:
 * INDENT, NODE's own indentation, is removed from the start of every line
 * after the first that has it; formatting adds it back. */
static char *
cookie_node_to_text(xmlDocPtr doc, xmlNodePtr node)
{
    g_autoptr(GString) raw = g_string_new(NULL);
    g_autofree char *owned = NULL;
    const char *indent = cookie_node_indent(node, &owned);
    size_t indent_len = strlen(indent);
    GString *out;
    const char *p;

    cookie_serialize_node(raw, doc, node, TRUE);
    if (indent_len == 0)
        return g_string_free(g_steal_pointer(&raw), FALSE);

    out = g_string_sized_new(raw->len);
    p = raw->str;
    for (;;) {
        const char *nl = strchr(p, '\n');

        if (!nl) {
            g_string_append(out, p);
            break;
        }
        g_string_append_len(out, p, nl - p + 1);
        p = nl + 1;
        if (strncmp(p, indent, indent_len) == 0)
            p += indent_len;
    }
    return g_string_free(out, FALSE);
}

/* Append TEXT (XML text of one element) indented by INDENT: every non-empty
 * line gets it, blank lines stay empty, and a trailing newline is dropped. */
static void
cookie_append_indented(GString *out, const char *indent, const char *text)
{
    g_autofree char *copy = g_strdup(text);
    g_auto(GStrv) lines = NULL;
    size_t len = strlen(copy);

    while (len > 0 && (copy[len - 1] == '\n' || copy[len - 1] == '\r'))
        copy[--len] = '\0';
    lines = g_strsplit(copy, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        if (*lines[i])
            g_string_append_printf(out, "%s%s", indent, lines[i]);
        g_string_append_c(out, '\n');
    }
}

/* ---- formatting ---- */

static void
cookie_append_text_element(GString *out, const char *indent, const char *name, const char *value)
{
    g_string_append_printf(out, "%s<%s>", indent, name);
    cookie_escape(out, value, FALSE);
    g_string_append_printf(out, "</%s>\n", name);
}

static void
cookie_format_lockstate(GString *out, const QemuMigrationCookie *cookie)
{
    g_string_append(out, COOKIE_INDENT "<lockstate");
    if (cookie->lock_driver) {
        g_string_append(out, " driver='");
        cookie_escape(out, cookie->lock_driver, TRUE);
        g_string_append_c(out, '\'');
    }
    if (!cookie->lock_state) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    cookie_append_text_element(out, COOKIE_INDENT COOKIE_INDENT, "leases", cookie->lock_state);
    g_string_append(out, COOKIE_INDENT "</lockstate>\n");
}

static void
cookie_format_nbd(GString *out, const QemuMigrationCookie *cookie)
{
    g_string_append(out, COOKIE_INDENT "<nbd");
    if (cookie->nbd_port > 0)
        g_string_append_printf(out, " port='%d'", cookie->nbd_port);
    if (cookie->nbd_disks->len == 0) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    for (guint i = 0; i < cookie->nbd_disks->len; i++) {
        const QemuMigrationCookieDisk *disk = g_ptr_array_index(cookie->nbd_disks, i);

        g_string_append(out, COOKIE_INDENT COOKIE_INDENT "<disk target='");
        cookie_escape(out, disk->target, TRUE);
        g_string_append_printf(out, "' capacity='%llu'/>\n", disk->capacity);
    }
    g_string_append(out, COOKIE_INDENT "</nbd>\n");
}

static void
cookie_format_stats(GString *out, const DomainJobStats *stats)
{
    g_string_append(out, COOKIE_INDENT "<statistics>\n");
    for (size_t i = 0; i < G_N_ELEMENTS(cookie_stats); i++) {
        const char *field = (const char *)stats + cookie_stats[i].offset;
        guint64 value;

        if (cookie_stats[i].is_signed) {
            gint64 signed_value;

            memcpy(&signed_value, field, sizeof(signed_value));
            value = signed_value > 0 ? (guint64)signed_value : 0;
        } else {
            memcpy(&value, field, sizeof(value));
        }
        if (cookie_stats[i].presence == COOKIE_STAT_DOWNTIME && !stats->downtime_set)
            continue;
        if (cookie_stats[i].presence == COOKIE_STAT_NONZERO && value == 0)
            continue;
        g_string_append_printf(out, COOKIE_INDENT COOKIE_INDENT "<%s>%" G_GUINT64_FORMAT "</%s>\n",
                               cookie_stats[i].name, value, cookie_stats[i].name);
    }
    g_string_append(out, COOKIE_INDENT "</statistics>\n");
}

static void
cookie_format_caps(GString *out, const QemuMigrationCookie *cookie)
{
    if (cookie->caps->len == 0) {
        g_string_append(out, COOKIE_INDENT "<capabilities/>\n");
        return;
    }
    g_string_append(out, COOKIE_INDENT "<capabilities>\n");
    for (guint i = 0; i < cookie->caps->len; i++) {
        const QemuMigrationCookieCap *cap = g_ptr_array_index(cookie->caps, i);

        g_string_append(out, COOKIE_INDENT COOKIE_INDENT "<cap name='");
        cookie_escape(out, cap->name, TRUE);
        g_string_append_printf(out, "' auto='%s'%s/>\n", cap->automatic ? "yes" : "no",
                               cap->enabled ? "" : " enabled='no'");
    }
    g_string_append(out, COOKIE_INDENT "</capabilities>\n");
}

char *
qemu_migration_cookie_format(const QemuMigrationCookie *cookie)
{
    GString *out = g_string_new("<qemu-migration>\n");
    char uuid[QVIRT_UUID_STRING_BUFLEN];
    char host_uuid[QVIRT_UUID_STRING_BUFLEN];
    unsigned int sections = cookie->sections;

    qvirt_uuid_format(cookie->uuid, uuid);
    qvirt_uuid_format(cookie->host_uuid, host_uuid);
    cookie_append_text_element(out, COOKIE_INDENT, "name", cookie->name);
    cookie_append_text_element(out, COOKIE_INDENT, "uuid", uuid);
    cookie_append_text_element(out, COOKIE_INDENT, "hostname", cookie->hostname);
    cookie_append_text_element(out, COOKIE_INDENT, "hostuuid", host_uuid);

    for (size_t i = 0; i < G_N_ELEMENTS(cookie_sections); i++) {
        if (cookie->mandatory & cookie_sections[i].bit)
            g_string_append_printf(out, COOKIE_INDENT "<feature name='%s' mandatory='yes'/>\n",
                                   cookie_sections[i].feature);
    }

    if (sections & QEMU_MIGRATION_COOKIE_LOCKSTATE)
        cookie_format_lockstate(out, cookie);
    if ((sections & QEMU_MIGRATION_COOKIE_PERSISTENT) && cookie->persistent_xml &&
        *cookie->persistent_xml)
        cookie_append_indented(out, COOKIE_INDENT, cookie->persistent_xml);
    if (sections & QEMU_MIGRATION_COOKIE_NBD)
        cookie_format_nbd(out, cookie);
    if (sections & QEMU_MIGRATION_COOKIE_STATS)
        cookie_format_stats(out, &cookie->stats);
    if ((sections & QEMU_MIGRATION_COOKIE_CPU) && cookie->cpu_xml && *cookie->cpu_xml)
        cookie_append_indented(out, COOKIE_INDENT, cookie->cpu_xml);
    if (sections & QEMU_MIGRATION_COOKIE_CAPS)
        cookie_format_caps(out, cookie);

    g_string_append(out, "</qemu-migration>\n");
    return g_string_free(out, FALSE);
}

/* ---- parsing ---- */

/* The elements of <qemu-migration> the parser knows, found in one pass. */
typedef struct {
    xmlNodePtr name;
    xmlNodePtr uuid;
    xmlNodePtr hostname;
    xmlNodePtr hostuuid;
    xmlNodePtr lockstate;
    xmlNodePtr domain;
    xmlNodePtr nbd;
    xmlNodePtr statistics;
    xmlNodePtr capabilities;
    xmlNodePtr cpu;
    GPtrArray *features; /* of xmlNodePtr, not owned */
} CookieNodes;

static void
cookie_nodes_clear(CookieNodes *nodes)
{
    g_clear_pointer(&nodes->features, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(CookieNodes, cookie_nodes_clear)

static gboolean
cookie_is_blank(const char *text)
{
    return !text || text[strspn(text, " \t\r\n")] == '\0';
}

/* VALUE from the cookie, fit for a one-line message: line breaks and tabs
 * become spaces and a long value is cut. */
static char *
cookie_message_value(const char *value)
{
    char *copy;

    if (!value)
        return g_strdup("");
    copy = g_strdelimit(g_strdup(value), "\r\n\t", ' ');
    if (g_utf8_validate(copy, -1, NULL) && g_utf8_strlen(copy, -1) > 64) {
        g_autofree char *cut = g_utf8_substring(copy, 0, 64);

        g_free(copy);
        copy = g_strdup_printf("%s...", cut);
    }
    return copy;
}

static int
cookie_collect_nodes(xmlNodePtr root, CookieNodes *nodes)
{
    static const struct {
        const char *name;
        size_t offset;
    } known[] = {
        {"name", offsetof(CookieNodes, name)},
        {"uuid", offsetof(CookieNodes, uuid)},
        {"hostname", offsetof(CookieNodes, hostname)},
        {"hostuuid", offsetof(CookieNodes, hostuuid)},
        {"lockstate", offsetof(CookieNodes, lockstate)},
        {"domain", offsetof(CookieNodes, domain)},
        {"nbd", offsetof(CookieNodes, nbd)},
        {"statistics", offsetof(CookieNodes, statistics)},
        {"capabilities", offsetof(CookieNodes, capabilities)},
        {"cpu", offsetof(CookieNodes, cpu)},
    };

    nodes->features = g_ptr_array_new();
    for (xmlNodePtr cur = root->children; cur; cur = cur->next) {
        const char *name = (const char *)cur->name;
        gboolean found = FALSE;

        if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
            if (!cookie_is_blank((const char *)cur->content)) {
                g_autofree char *stripped = g_strstrip(g_strdup((const char *)cur->content));
                g_autofree char *text = cookie_message_value(stripped);

                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("unexpected text '%s' in <qemu-migration> of migration "
                                     "cookie"),
                                   text);
                return -1;
            }
            continue;
        }
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (g_str_equal(name, "feature")) {
            g_ptr_array_add(nodes->features, cur);
            continue;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(known); i++) {
            xmlNodePtr *slot = (xmlNodePtr *)((char *)nodes + known[i].offset);

            if (!g_str_equal(name, known[i].name))
                continue;
            if (*slot) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR, _("duplicate <%s> in migration cookie"),
                                   name);
                return -1;
            }
            *slot = cur;
            found = TRUE;
            break;
        }
        if (!found)
            QVIRT_DEBUG("ignoring <%s> in migration cookie", name);
    }
    return 0;
}

/* The text of the required element NODE named NAME, not empty. */
static char *
cookie_required_text(xmlNodePtr node, const char *name)
{
    char *text = NULL;

    if (node) {
        xmlChar *content = xmlNodeGetContent(node);

        if (content && *content)
            text = g_strdup((const char *)content);
        xmlFree(content);
    }
    if (!text)
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing <%s> in migration cookie"), name);
    return text;
}

static int
cookie_parse_uuid(xmlNodePtr node, const char *name, unsigned char ret_uuid[QVIRT_UUID_BUFLEN])
{
    g_autofree char *text = cookie_required_text(node, name);

    if (!text)
        return -1;
    if (qvirt_uuid_parse(text, ret_uuid) < 0) {
        g_autofree char *shown = cookie_message_value(text);

        /* A more precise error than the generic one just reported. */
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("invalid UUID '%s' in <%s> of migration cookie"),
                           shown, name);
        return -1;
    }
    return 0;
}

static unsigned int
cookie_section_from_feature(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cookie_sections); i++) {
        if (g_str_equal(name, cookie_sections[i].feature))
            return cookie_sections[i].bit;
    }
    return 0;
}

static int
cookie_yes_no_from_string(const char *str)
{
    if (g_str_equal(str, "yes"))
        return 1;
    if (g_str_equal(str, "no"))
        return 0;
    return -1;
}

/* Read the <feature> markers into RET_MANDATORY; refuse a mandatory one the
 * caller did not accept. */
static int
cookie_parse_features(GPtrArray *features, unsigned int accepted, unsigned int *ret_mandatory)
{
    unsigned int mandatory = 0;

    for (guint i = 0; i < features->len; i++) {
        xmlNodePtr node = g_ptr_array_index(features, i);
        g_autofree char *name = qvirt_xml_prop(node, "name");
        int is_mandatory = 1;
        unsigned int bit;

        if (!name || !*name) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("missing name of <feature> in migration cookie"));
            return -1;
        }
        /* libvirt writes only mandatory features, without the attribute. */
        if (qvirt_xml_prop_enum(node, "mandatory", cookie_yes_no_from_string, &is_mandatory) == -2)
            return -1;
        if (!is_mandatory)
            continue;
        bit = cookie_section_from_feature(name);
        if (bit == 0) {
            g_autofree char *shown = cookie_message_value(name);

            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("unknown mandatory feature '%s' in migration cookie"), shown);
            return -1;
        }
        if (!(accepted & bit)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("unsupported mandatory feature '%s' in migration cookie"), name);
            return -1;
        }
        mandatory |= bit;
    }
    *ret_mandatory = mandatory;
    return 0;
}

static int
cookie_parse_lockstate(xmlNodePtr node, QemuMigrationCookie *cookie)
{
    gboolean seen_leases = FALSE;

    cookie->lock_driver = qvirt_xml_prop(node, "driver");
    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        xmlChar *content;

        if (cur->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cur->name, "leases"))
            continue;
        if (seen_leases) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("duplicate <leases> in <lockstate> of migration cookie"));
            return -1;
        }
        seen_leases = TRUE;
        content = xmlNodeGetContent(cur);
        /* An empty lease list is no lock state (as libvirt reads it). */
        if (content && *content)
            cookie->lock_state = g_strdup((const char *)content);
        xmlFree(content);
    }
    return 0;
}

static int
cookie_parse_nbd(xmlNodePtr node, QemuMigrationCookie *cookie)
{
    int port = 0;
    int rc = qvirt_xml_prop_int(node, "port", &port);

    if (rc == -2)
        return -1;
    if (rc == 0 && (port < 1 || port > 65535)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid NBD port %d in migration cookie: expected 1 to 65535"), port);
        return -1;
    }
    cookie->nbd_port = port;

    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        g_autofree char *target = NULL;
        g_autofree char *shown = NULL;
        unsigned long long capacity = 0;

        if (cur->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cur->name, "disk"))
            continue;
        target = qvirt_xml_prop(cur, "target");
        shown = cookie_message_value(target);
        if (!target || !*target) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("missing target of <disk> in <nbd> of migration cookie"));
            return -1;
        }
        rc = qvirt_xml_prop_ullong(cur, "capacity", &capacity);
        if (rc == -2)
            return -1;
        if (rc == -1) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("missing capacity of NBD disk '%s' in migration cookie"), shown);
            return -1;
        }
        if (cookie_find_disk(cookie, target)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("duplicate NBD disk '%s' in migration cookie"), shown);
            return -1;
        }
        qemu_migration_cookie_add_nbd_disk(cookie, target, capacity);
    }
    return 0;
}

static guint64
cookie_add_saturated(guint64 a, guint64 b)
{
    return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

static int
cookie_parse_stats(xmlNodePtr node, DomainJobStats *stats)
{
    guint seen = 0;

    G_STATIC_ASSERT(G_N_ELEMENTS(cookie_stats) <= sizeof(seen) * 8);
    memset(stats, 0, sizeof(*stats));
    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        const char *name = (const char *)cur->name;
        size_t i;
        xmlChar *content;
        unsigned long long value = 0;
        char *field;
        int rc;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        for (i = 0; i < G_N_ELEMENTS(cookie_stats); i++) {
            if (g_str_equal(name, cookie_stats[i].name))
                break;
        }
        if (i == G_N_ELEMENTS(cookie_stats)) {
            /* libvirt also sends stopped, sent, compression_*, ... */
            QVIRT_DEBUG("ignoring <%s> in <statistics> of migration cookie", name);
            continue;
        }
        if (seen & (1U << i)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("duplicate <%s> in <statistics> of migration cookie"), name);
            return -1;
        }
        seen |= 1U << i;

        content = xmlNodeGetContent(cur);
        rc = qvirt_strtoull(content ? (const char *)content : "", 10, &value);
        if (rc == 0 && cookie_stats[i].is_signed && value > G_MAXINT64)
            rc = -1;
        if (rc < 0) {
            g_autofree char *shown = cookie_message_value((const char *)content);

            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("invalid value '%s' of <%s> in <statistics> of migration "
                                 "cookie: expected a non-negative integer"),
                               shown, name);
            xmlFree(content);
            return -1;
        }
        xmlFree(content);

        field = (char *)stats + cookie_stats[i].offset;
        if (cookie_stats[i].is_signed) {
            gint64 signed_value = (gint64)value;

            memcpy(field, &signed_value, sizeof(signed_value));
        } else {
            guint64 unsigned_value = value;

            memcpy(field, &unsigned_value, sizeof(unsigned_value));
        }
        if (cookie_stats[i].presence == COOKIE_STAT_DOWNTIME)
            stats->downtime_set = TRUE;
    }

    stats->status = DOMAIN_JOB_STATUS_COMPLETED;
    stats->data_total = cookie_add_saturated(stats->mem_total, stats->disk_total);
    stats->data_processed = cookie_add_saturated(stats->mem_processed, stats->disk_processed);
    stats->data_remaining = cookie_add_saturated(stats->mem_remaining, stats->disk_remaining);
    return 0;
}

static int
cookie_parse_caps(xmlNodePtr node, QemuMigrationCookie *cookie)
{
    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        g_autofree char *name = NULL;
        int automatic = 0;
        int enabled = 1;

        if (cur->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cur->name, "cap"))
            continue;
        name = qvirt_xml_prop(cur, "name");
        if (!name || !*name) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing name of <cap> in migration cookie"));
            return -1;
        }
        if (qvirt_xml_prop_enum(cur, "auto", cookie_yes_no_from_string, &automatic) == -2 ||
            qvirt_xml_prop_enum(cur, "enabled", cookie_yes_no_from_string, &enabled) == -2)
            return -1;
        if (cookie_find_cap(cookie, name)) {
            g_autofree char *shown = cookie_message_value(name);

            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("duplicate capability '%s' in migration cookie"), shown);
            return -1;
        }
        qemu_migration_cookie_add_cap(cookie, name, enabled, automatic);
    }
    cookie->sections |= QEMU_MIGRATION_COOKIE_CAPS;
    return 0;
}

/* Read the sections present and accepted. */
static int
cookie_parse_sections(xmlDocPtr doc, const CookieNodes *nodes, unsigned int accepted,
                      QemuMigrationCookie *cookie)
{
    if (nodes->lockstate && (accepted & QEMU_MIGRATION_COOKIE_LOCKSTATE)) {
        if (cookie_parse_lockstate(nodes->lockstate, cookie) < 0)
            return -1;
        cookie->sections |= QEMU_MIGRATION_COOKIE_LOCKSTATE;
    }
    if (nodes->domain && (accepted & QEMU_MIGRATION_COOKIE_PERSISTENT)) {
        cookie->persistent_xml = cookie_node_to_text(doc, nodes->domain);
        cookie->sections |= QEMU_MIGRATION_COOKIE_PERSISTENT;
    }
    if (nodes->nbd && (accepted & QEMU_MIGRATION_COOKIE_NBD)) {
        if (cookie_parse_nbd(nodes->nbd, cookie) < 0)
            return -1;
        cookie->sections |= QEMU_MIGRATION_COOKIE_NBD;
    }
    if (nodes->statistics && (accepted & QEMU_MIGRATION_COOKIE_STATS)) {
        if (cookie_parse_stats(nodes->statistics, &cookie->stats) < 0)
            return -1;
        cookie->sections |= QEMU_MIGRATION_COOKIE_STATS;
    }
    if (nodes->cpu && (accepted & QEMU_MIGRATION_COOKIE_CPU)) {
        cookie->cpu_xml = cookie_node_to_text(doc, nodes->cpu);
        cookie->sections |= QEMU_MIGRATION_COOKIE_CPU;
    }
    if (nodes->capabilities && (accepted & QEMU_MIGRATION_COOKIE_CAPS)) {
        if (cookie_parse_caps(nodes->capabilities, cookie) < 0)
            return -1;
    }
    return 0;
}

QemuMigrationCookie *
qemu_migration_cookie_parse(const char *data, int len, unsigned int accepted,
                            const unsigned char *local_host_uuid)
{
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    g_auto(CookieNodes) nodes = {0};
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *text = NULL;
    g_autofree char *name = NULL;
    g_autofree char *hostname = NULL;
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    unsigned char host_uuid[QVIRT_UUID_BUFLEN];
    unsigned int mandatory = 0;
    xmlNodePtr root;
    size_t size;

    if (!data || len <= 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing migration cookie"));
        return NULL;
    }
    size = (size_t)len;
    /* libvirt counts the terminating NUL in the cookie's length. */
    while (size > 0 && data[size - 1] == '\0')
        size--;
    if (size == 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing migration cookie"));
        return NULL;
    }
    if (size > QEMU_MIGRATION_COOKIE_MAX_LEN) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("migration cookie too large: %zu bytes, at most %d"), size,
                           QEMU_MIGRATION_COOKIE_MAX_LEN);
        return NULL;
    }
    if (memchr(data, '\0', size)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("migration cookie contains a NUL byte"));
        return NULL;
    }
    text = g_strndup(data, size);

    if (!(doc = qvirt_xml_parse_string(text, _("migration cookie"), NULL)))
        return NULL;
    /* A document type could declare what a reference stands for elsewhere,
     * leaving references qvirt cannot copy; cookies never have one. */
    if (doc->intSubset || doc->extSubset) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("unexpected document type declaration in migration cookie"));
        return NULL;
    }
    root = xmlDocGetRootElement(doc);
    if (!g_str_equal((const char *)root->name, "qemu-migration")) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("unexpected root element <%s> of migration cookie: expected "
                             "<qemu-migration>"),
                           (const char *)root->name);
        return NULL;
    }
    if (cookie_collect_nodes(root, &nodes) < 0)
        return NULL;

    if (!(name = cookie_required_text(nodes.name, "name")) ||
        cookie_parse_uuid(nodes.uuid, "uuid", uuid) < 0 ||
        !(hostname = cookie_required_text(nodes.hostname, "hostname")) ||
        cookie_parse_uuid(nodes.hostuuid, "hostuuid", host_uuid) < 0)
        return NULL;

    /* The host name may well be the same (e.g. "localhost"); the host UUID
     * tells for sure. */
    if (local_host_uuid && memcmp(local_host_uuid, host_uuid, QVIRT_UUID_BUFLEN) == 0) {
        char uuid_str[QVIRT_UUID_STRING_BUFLEN];

        qvirt_uuid_format(host_uuid, uuid_str);
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("attempt to migrate guest to the same host '%s'"), uuid_str);
        return NULL;
    }

    if (cookie_parse_features(nodes.features, accepted, &mandatory) < 0)
        return NULL;

    cookie = qemu_migration_cookie_new(name, uuid, hostname, host_uuid);
    cookie->mandatory = mandatory;
    if (cookie_parse_sections(doc, &nodes, accepted, cookie) < 0)
        return NULL;
    return g_steal_pointer(&cookie);
}

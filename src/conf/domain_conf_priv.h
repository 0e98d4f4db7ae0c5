/* domain_conf_priv.h: what the domain XML files (domain_conf*.c,
 * domain_addr.c) share among themselves, and the hooks tests use.
 * Nothing outside src/conf/domain_* and the tests includes this header.
 *
 * Reading an element or attribute through the domain_xml_* helpers marks it
 * as understood (in the node's _private field). Once a domain is parsed,
 * domain_xml_check_consumed() walks the whole tree and reports the first
 * element, attribute or text that nothing marked, so no part of a user's
 * configuration is ever dropped silently. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "conf/domain_conf.h"
#include "util/xml.h"

typedef const char *(*DomainEnumToString)(int value);

/* ---- Reading the document (domain_conf_xml.c) ---- */

/* Mark ELEMENT as understood; its attributes and children are checked on
 * their own. */
void domain_xml_mark(xmlNodePtr element);

/* The single child element NAME (without namespace) of PARENT, marked. Returns 1
 * when found (*ret set), 0 when absent (*ret NULL), -1 with XML_ERROR when it
 * appears more than once. */
int domain_xml_child(xmlNodePtr parent, const char *name, xmlNodePtr *ret);

/* Every child element NAME of PARENT, marked, in document order: their
 * number, and in *RET a new array (g_free; NULL when none). */
size_t domain_xml_children(xmlNodePtr parent, const char *name, xmlNodePtr **ret);

/* Attribute NAME (without namespace) of NODE as a string, marked: 0 found
 * (*ret set), -1 absent, -2 invalid (XML_ERROR reported): empty unless
 * ALLOW_EMPTY, or holding a control character (tab, newline...), which
 * only a character reference can put in an attribute. */
int domain_xml_attr_string(xmlNodePtr node, const char *name, gboolean allow_empty, char **ret);

/* Attribute NAME as one of the strings of an enum (from FIRST to LAST-1):
 * 0 found, -1 absent, -2 with CONFIG_UNSUPPORTED naming the value, the
 * attribute and the accepted values. */
int domain_xml_attr_enum(xmlNodePtr node, const char *name, DomainEnumToString to_string, int first,
                         int last, int *ret);

/* yes/no (IS_SWITCH FALSE) or on/off attribute into a DomainTristate:
 * 0 found, -1 absent, -2 invalid (XML_ERROR). */
int domain_xml_attr_tristate(xmlNodePtr node, const char *name, gboolean is_switch, int *ret);

/* Numbers: 0 found, -1 absent, -2 invalid (XML_ERROR). BASE as strtoul. */
int domain_xml_attr_uint(xmlNodePtr node, const char *name, int base, unsigned int *ret);
int domain_xml_attr_int(xmlNodePtr node, const char *name, int *ret);

/* The text directly in ELEMENT, marking it (and its text) as understood: a
 * new string ("" when empty). NULL with XML_ERROR when it holds a carriage
 * return. Child elements stay unmarked, so the final walk rejects them. */
char *domain_xml_text(xmlNodePtr element);

/* The text of the single child element NAME: 1 found (*ret set, NULL when
 * the element is empty), 0 absent, -1 error reported. */
int domain_xml_child_text(xmlNodePtr parent, const char *name, char **ret);

/* Text of ELEMENT, stripped of surrounding blanks, as one of an enum's
 * strings: 0 found, -2 invalid (CONFIG_UNSUPPORTED naming the value). */
int domain_xml_text_enum(xmlNodePtr element, DomainEnumToString to_string, int first, int last,
                         int *ret);

/* Keep ELEMENT's child elements verbatim: a new document whose root is a
 * copy of ELEMENT holding copies of its child elements (blank text between
 * elements removed), or NULL in *RET when it has none. Marks the subtree.
 * -1 with XML_ERROR when a child element has no namespace or non-blank text
 * sits directly in ELEMENT. */
int domain_xml_copy_verbatim(xmlNodePtr element, xmlDocPtr *ret);

/* Append the child elements of DOC's root to BUF, indented one level deeper
 * than BUF's current indentation. */
void domain_xml_format_verbatim(QvirtBuffer *buf, xmlDocPtr doc);

/* Check that PATH is absolute (as libvirt's schema wants): "/" and at least
 * one more character, no newline. WHAT names its place, e.g. "<kernel>".
 * -1 with XML_ERROR otherwise; NULL is fine. */
int domain_xml_check_path(const char *path, const char *what);

/* Report CONFIG_UNSUPPORTED for the first element, attribute or non-blank
 * text under ROOT (included) that no parser marked. 0 when all is marked. */
int domain_xml_check_consumed(xmlNodePtr root);

/* ---- Parsing and formatting by concept ---- */

/* domain_conf_general.c: identity, memory, vCPUs, <os>, <features>, <cpu>,
 * <clock> and lifecycle actions: parse from ROOT, format in libvirt's order
 * up to (not including) <devices>. */
int domain_general_parse(DomainDef *def, xmlNodePtr root, unsigned int flags);
void domain_general_format(QvirtBuffer *buf, const DomainDef *def, unsigned int flags);
void domain_cpu_format(QvirtBuffer *buf, const DomainCpuDef *cpu);

/* domain_conf_disk.c */
DomainDiskDef *domain_disk_parse(xmlNodePtr node, unsigned int flags);
void domain_disk_format(QvirtBuffer *buf, const DomainDiskDef *disk, unsigned int flags);
DomainControllerDef *domain_controller_parse(xmlNodePtr node, unsigned int flags);
void domain_controller_format(QvirtBuffer *buf, const DomainControllerDef *cont,
                              unsigned int flags);
/* The model an added controller of TYPE gets on DEF's machine. */
int domain_controller_default_model(const DomainDef *def, int type);

/* domain_conf_net.c */
DomainNetDef *domain_net_parse(xmlNodePtr node, unsigned int flags);
void domain_net_format(QvirtBuffer *buf, const DomainNetDef *net, unsigned int flags);

/* domain_conf_chardev.c: DEVICE is a DomainChrDeviceType. */
DomainChrDef *domain_chr_parse(xmlNodePtr node, int device, unsigned int flags);
void domain_chr_format(QvirtBuffer *buf, const DomainDef *def, const DomainChrDef *chr,
                       unsigned int flags);
/* Ports, and the console/serial pairing libvirt applies. */
int domain_chr_post_parse(DomainDef *def);

/* domain_conf_devices.c: input, graphics, video, memballoon, rng. */
DomainInputDef *domain_input_parse(xmlNodePtr node, unsigned int flags);
void domain_input_format(QvirtBuffer *buf, const DomainInputDef *input, unsigned int flags);
DomainGraphicsDef *domain_graphics_parse(xmlNodePtr node, unsigned int flags);
void domain_graphics_format(QvirtBuffer *buf, const DomainGraphicsDef *graphics,
                            unsigned int flags);
DomainVideoDef *domain_video_parse(xmlNodePtr node, unsigned int flags);
void domain_video_format(QvirtBuffer *buf, const DomainVideoDef *video, unsigned int flags);
DomainMemballoonDef *domain_memballoon_parse(xmlNodePtr node, unsigned int flags);
void domain_memballoon_format(QvirtBuffer *buf, const DomainMemballoonDef *balloon,
                              unsigned int flags);
DomainRngDef *domain_rng_parse(xmlNodePtr node, unsigned int flags);
void domain_rng_format(QvirtBuffer *buf, const DomainRngDef *rng, unsigned int flags);
/* Default inputs, video and balloon; checks across these devices. */
int domain_devices_post_parse(DomainDef *def);

/* ---- Device info and addresses (domain_addr.c) ---- */

/* Which parts of DomainDeviceInfo a device accepts. */
typedef enum {
    DOMAIN_INFO_BOOT = 1 << 0,
    DOMAIN_INFO_PCI = 1 << 1,
    DOMAIN_INFO_DRIVE = 1 << 2,
    DOMAIN_INFO_USB = 1 << 3,
    DOMAIN_INFO_ALIAS = 1 << 4,
} DomainInfoFlags;

/* Read <boot>, <alias> and <address> of the device element NODE as ALLOWED
 * permits (the alias only with the STATUS parse flag). */
int domain_device_info_parse(xmlNodePtr node, DomainDeviceInfo *info, unsigned int allowed,
                             unsigned int flags);
/* Write <boot>, <alias> (unless FORMAT_INACTIVE) and <address>. */
void domain_device_info_format(QvirtBuffer *buf, const DomainDeviceInfo *info, unsigned int flags);
void domain_device_info_copy(DomainDeviceInfo *dst, const DomainDeviceInfo *src);

/* Drive addresses, implied controllers and PCI slots (see domain_addr.c). */
int domain_addr_assign(DomainDef *def);

/* ---- Defaults and checks across the definition (domain_conf_defaults.c) ---- */

int domain_def_post_parse(DomainDef *def);

/* ---- Formatting (domain_conf_format.c) ---- */

/* " name='value'" escaped, nothing when VALUE is NULL. */
void domain_format_attr(QvirtBuffer *buf, const char *name, const char *value);

/* ---- Test hooks ---- */

/* Replace the random source of generated UUIDs and MAC addresses (NULL
 * restores the default), so tests get reproducible output. */
typedef void (*DomainRandomFunc)(unsigned char *buf, size_t len);
void domain_conf_set_random_func(DomainRandomFunc func);
void domain_conf_random_bytes(unsigned char *buf, size_t len);

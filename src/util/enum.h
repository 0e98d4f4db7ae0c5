/* enum.h: string tables for enums. Every enum whose values are stored as
 * text (domain XML, status XML, QMP) gets NAME_to_string() (NULL when out
 * of range) and NAME_from_string() (-1 when unknown) from these macros:
 *
 *   header:  QVIRT_ENUM_DECL(domain_disk_bus);
 *   source:  QVIRT_ENUM_IMPL(domain_disk_bus, DOMAIN_DISK_BUS_LAST, "ide", "scsi", ...);
 *
 * The strings are given in the enum's order and their number must be LAST. */
#pragma once

#include <string.h>
#include <glib.h>

#define QVIRT_ENUM_DECL(name)                                                                      \
    const char *name##_to_string(int value);                                                       \
    int name##_from_string(const char *str)

#define QVIRT_ENUM_IMPL(name, last, ...)                                                           \
    static const char *const name##_strings[] = {__VA_ARGS__};                                     \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##_strings) == (last));                                       \
    const char *name##_to_string(int value)                                                        \
    {                                                                                              \
        return qvirt_enum_to_string(name##_strings, G_N_ELEMENTS(name##_strings), value);          \
    }                                                                                              \
    int name##_from_string(const char *str)                                                        \
    {                                                                                              \
        return qvirt_enum_from_string(name##_strings, G_N_ELEMENTS(name##_strings), str);          \
    }

/* The table functions behind the macros, for tables chosen at run time. */
static inline const char *
qvirt_enum_to_string(const char *const *table, size_t count, int value)
{
    if (value < 0 || (size_t)value >= count)
        return NULL;
    return table[value];
}

static inline int
qvirt_enum_from_string(const char *const *table, size_t count, const char *str)
{
    for (size_t i = 0; str && i < count; i++) {
        if (strcmp(table[i], str) == 0)
            return (int)i;
    }
    return -1;
}

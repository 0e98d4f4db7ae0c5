/* save.h: the public vocabulary of saving a domain's memory to a file
 * (save, restore, managed save) and of dumping its memory (core dump):
 * libvirt's virDomainSaveRestoreFlags, virDomainCoreDumpFlags and
 * virDomainCoreDumpFormat values, shared by the API, the drivers, the
 * daemon and the shell.
 *
 * Contract: the numbers are libvirt's, because they travel on the wire
 * unchanged. */
#pragma once

/* virDomainSaveRestoreFlags (save, restore, managed save). */
typedef enum {
    QV_DOMAIN_SAVE_BYPASS_CACHE = 1 << 0,
    QV_DOMAIN_SAVE_RUNNING = 1 << 1, /* run after restore, whatever the image says */
    QV_DOMAIN_SAVE_PAUSED = 1 << 2,  /* stay paused after restore */
    QV_DOMAIN_SAVE_RESET_NVRAM = 1 << 3,
} QvDomainSaveRestoreFlags;
#define QV_DOMAIN_SAVE_ALL 0xfU

/* virDomainCoreDumpFlags. */
typedef enum {
    QV_DUMP_CRASH = 1 << 0,        /* stop the domain (reason crashed) after the dump */
    QV_DUMP_LIVE = 1 << 1,         /* do not pause the guest while dumping */
    QV_DUMP_BYPASS_CACHE = 1 << 2,
    QV_DUMP_RESET = 1 << 3,        /* reset the guest after the dump */
    QV_DUMP_MEMORY_ONLY = 1 << 4,  /* dump-guest-memory, not a full migration stream */
} QvDomainCoreDumpFlags;
#define QV_DUMP_ALL 0x1fU

/* virDomainCoreDumpFormat (only with QV_DUMP_MEMORY_ONLY, except RAW). */
typedef enum {
    QV_DOMAIN_CORE_DUMP_FORMAT_RAW = 0, /* ELF */
    QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB = 1,
    QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO = 2,
    QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY = 3,
    QV_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP = 4,
    QV_DOMAIN_CORE_DUMP_FORMAT_LAST
} QvDomainCoreDumpFormat;

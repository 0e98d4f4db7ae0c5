/* migrate.h: the public vocabulary of live migration: libvirt's
 * virDomainMigrateFlags values and the names of its typed migration
 * parameters (VIR_MIGRATE_PARAM_*), shared by the API, the drivers, the
 * daemon and the shell.
 *
 * Contract: numbers and strings are libvirt's, because they travel on the
 * wire unchanged. Cookies are opaque byte strings to everyone but the
 * driver that made them. */
#pragma once

/* virDomainMigrateFlags. */
typedef enum {
    QV_MIGRATE_LIVE = 1 << 0,
    QV_MIGRATE_PEER2PEER = 1 << 1,
    QV_MIGRATE_TUNNELLED = 1 << 2,
    QV_MIGRATE_PERSIST_DEST = 1 << 3,
    QV_MIGRATE_UNDEFINE_SOURCE = 1 << 4,
    QV_MIGRATE_PAUSED = 1 << 5,
    QV_MIGRATE_NON_SHARED_DISK = 1 << 6,
    QV_MIGRATE_NON_SHARED_INC = 1 << 7,
    QV_MIGRATE_CHANGE_PROTECTION = 1 << 8,
    QV_MIGRATE_UNSAFE = 1 << 9,
    QV_MIGRATE_OFFLINE = 1 << 10,
    QV_MIGRATE_COMPRESSED = 1 << 11,
    QV_MIGRATE_ABORT_ON_ERROR = 1 << 12,
    QV_MIGRATE_AUTO_CONVERGE = 1 << 13,
    QV_MIGRATE_RDMA_PIN_ALL = 1 << 14,
    QV_MIGRATE_POSTCOPY = 1 << 15,
    QV_MIGRATE_TLS = 1 << 16,
    QV_MIGRATE_PARALLEL = 1 << 17,
    QV_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES = 1 << 18,
    QV_MIGRATE_POSTCOPY_RESUME = 1 << 19,
    QV_MIGRATE_ZEROCOPY = 1 << 20,
} QvMigrateFlags;
#define QV_MIGRATE_ALL 0x1fffffU

/* VIR_MIGRATE_PARAM_* names. */
#define QV_MIGRATE_PARAM_URI "migrate_uri"
#define QV_MIGRATE_PARAM_DEST_NAME "destination_name"
#define QV_MIGRATE_PARAM_DEST_XML "destination_xml"
#define QV_MIGRATE_PARAM_PERSIST_XML "persistent_xml"
#define QV_MIGRATE_PARAM_BANDWIDTH "bandwidth"                     /* ullong, MiB/s */
#define QV_MIGRATE_PARAM_BANDWIDTH_POSTCOPY "bandwidth.postcopy"   /* ullong, MiB/s */
#define QV_MIGRATE_PARAM_GRAPHICS_URI "graphics_uri"
#define QV_MIGRATE_PARAM_LISTEN_ADDRESS "listen_address"
#define QV_MIGRATE_PARAM_MIGRATE_DISKS "migrate_disks" /* string, may repeat */
#define QV_MIGRATE_PARAM_DISKS_PORT "disks_port"       /* int */
#define QV_MIGRATE_PARAM_DISKS_URI "disks_uri"
#define QV_MIGRATE_PARAM_COMPRESSION "compression" /* string, may repeat: "xbzrle", "mt" */
#define QV_MIGRATE_PARAM_COMPRESSION_MT_LEVEL "compression.mt.level"
#define QV_MIGRATE_PARAM_COMPRESSION_MT_THREADS "compression.mt.threads"
#define QV_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS "compression.mt.dthreads"
#define QV_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE "compression.xbzrle.cache"
#define QV_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL "auto_converge.initial"
#define QV_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT "auto_converge.increment"
#define QV_MIGRATE_PARAM_PARALLEL_CONNECTIONS "parallel.connections"
#define QV_MIGRATE_PARAM_TLS_DESTINATION "tls.destination"

/* virDomainMigrateMaxSpeedFlags. */
#define QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY 1U

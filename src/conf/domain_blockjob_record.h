/* domain_blockjob_record.h: the block jobs a domain has running, as the status
 * XML persists them (`<blockjobs>`), so that a restarted daemon knows which
 * QEMU jobs are its own and what each one was doing.
 *
 * Contract: a record is plain data (no locks); the QEMU driver keeps a list of
 * them (a GPtrArray from domain_blockjob_record_list_new()) and hands it to
 * the status writer. Formatting is canonical: parse(format(list)) == list.
 * Parsing is strict: an unknown element, attribute, type or state, a missing
 * required part or two jobs on one disk is an XML_ERROR naming the file. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "util/xml.h"

typedef enum {
    DOMAIN_BLOCKJOB_TYPE_PULL = 0,      /* block-stream */
    DOMAIN_BLOCKJOB_TYPE_COPY,          /* blockdev-mirror */
    DOMAIN_BLOCKJOB_TYPE_COMMIT,        /* block-commit below the top image */
    DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT, /* block-commit of the active image */
    DOMAIN_BLOCKJOB_TYPE_LAST
} DomainBlockJobType;

typedef enum {
    DOMAIN_BLOCKJOB_STATE_NEW = 0, /* recorded, not yet started in QEMU */
    DOMAIN_BLOCKJOB_STATE_RUNNING,
    DOMAIN_BLOCKJOB_STATE_READY, /* copy/active-commit: both sides in sync */
    DOMAIN_BLOCKJOB_STATE_ABORTING,
    DOMAIN_BLOCKJOB_STATE_PIVOTING,
    DOMAIN_BLOCKJOB_STATE_CONCLUDED, /* QEMU finished, outcome not yet processed */
    DOMAIN_BLOCKJOB_STATE_COMPLETED,
    DOMAIN_BLOCKJOB_STATE_FAILED,
    DOMAIN_BLOCKJOB_STATE_CANCELLED,
    DOMAIN_BLOCKJOB_STATE_LAST
} DomainBlockJobState;

typedef struct _DomainBlockJobRecord DomainBlockJobRecord;
struct _DomainBlockJobRecord {
    char *disk;                   /* target of the disk, e.g. "vda"; required */
    char *job_id;                 /* QEMU's job id; required */
    int type;                     /* DomainBlockJobType */
    int state;                    /* DomainBlockJobState */
    unsigned int flags;           /* the API flags the job was started with */
    unsigned long long bandwidth; /* bytes per second, 0 = unlimited */
    char *mirror_path;            /* copy: destination image; required for copy */
    char *mirror_format;          /* copy: destination format, e.g. "qcow2"; optional */
    char *base;                   /* pull/commit: base image (path or node name); optional */
    char *top;                    /* commit: top image (path or node name); optional */
    char *error;                  /* failed: QEMU's error message; optional */
};

const char *domain_blockjob_type_to_string(int type);
int domain_blockjob_type_from_string(const char *str);
const char *domain_blockjob_state_to_string(int state);
int domain_blockjob_state_from_string(const char *str);

DomainBlockJobRecord *domain_blockjob_record_new(void);
void domain_blockjob_record_free(DomainBlockJobRecord *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainBlockJobRecord, domain_blockjob_record_free)
DomainBlockJobRecord *domain_blockjob_record_copy(const DomainBlockJobRecord *rec);

/* An empty list that frees its records. */
GPtrArray *domain_blockjob_record_list_new(void);
/* A deep copy of RECORDS (NULL gives an empty list). */
GPtrArray *domain_blockjob_record_list_copy(const GPtrArray *records);
/* The record for DISK, or NULL; borrowed. */
DomainBlockJobRecord *domain_blockjob_record_list_find(const GPtrArray *records, const char *disk);

/* Append `<blockjobs>…</blockjobs>` to BUF at its indentation; nothing when
 * RECORDS is NULL or empty. */
void domain_blockjob_records_format(const GPtrArray *records, QvirtBuffer *buf);

/* Parse a `<blockjobs>` element. FILE_FOR_ERRORS names the status file in
 * error messages. On success *RET_RECORDS is a new list (maybe empty). */
int domain_blockjob_records_parse(xmlNodePtr node, const char *file_for_errors,
                                  GPtrArray **ret_records);

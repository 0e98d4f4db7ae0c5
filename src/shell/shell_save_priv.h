/* shell_save_priv.h: the shell's save, restore, managed save and dump
 * commands (save, restore, managedsave, managedsave-remove, dump) and the
 * pieces tests/shell checks without a daemon: the request built from the
 * parsed options. Not for other layers.
 *
 * Contract: shell_save_request_new() reads only the options (and the file
 * of --xml); it never connects. It prints every error as "error: ..." on
 * the shell's error stream and returns NULL. Flag and format values are
 * those of driver/save.h, as virsh passes them. */
#pragma once

#include "shell/shell_priv.h"

typedef enum {
    SHELL_SAVE_SAVE,    /* save DOM FILE */
    SHELL_SAVE_RESTORE, /* restore FILE */
    SHELL_SAVE_MANAGED, /* managedsave DOM */
    SHELL_SAVE_DUMP,    /* dump DOM FILE */
} ShellSaveKind;

typedef struct {
    ShellSaveKind kind;
    const char *domain;      /* borrowed from the options; NULL for restore */
    const char *file;        /* borrowed; as given (the API makes it absolute) */
    char *xml;               /* the contents of --xml, or NULL */
    unsigned int flags;      /* QvDomainSaveRestoreFlags, or QvDomainCoreDumpFlags */
    gboolean with_format;    /* dump --format given: the _with_format call */
    unsigned int dumpformat; /* QvDomainCoreDumpFormat */
    gboolean verbose;
} ShellSaveRequest;

ShellSaveRequest *shell_save_request_new(Shell *sh, ShellSaveKind kind, const ShellArgs *args);
/* Accepts NULL. */
void shell_save_request_free(ShellSaveRequest *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ShellSaveRequest, shell_save_request_free)

/* The dump format named NAME (virsh's names: elf, kdump-zlib, kdump-lzo,
 * kdump-snappy, win-dmp), or -1. */
int shell_dump_format_from_string(const char *name);

extern const ShellOpt opts_save[];
extern const ShellOpt opts_restore[];
extern const ShellOpt opts_managedsave[];
extern const ShellOpt opts_dump[];
gboolean cmd_save(Shell *sh, ShellArgs *args);
gboolean cmd_restore(Shell *sh, ShellArgs *args);
gboolean cmd_managedsave(Shell *sh, ShellArgs *args);
gboolean cmd_managedsave_remove(Shell *sh, ShellArgs *args);
gboolean cmd_dump(Shell *sh, ShellArgs *args);

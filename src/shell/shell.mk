## src/shell: the qvirt command line (a virsh work-alike) on the client
## library. The commands are a convenience library so that tests/shell can
## run them in-process.
noinst_LTLIBRARIES += libqvirtshell.la
libqvirtshell_la_SOURCES = \
	src/shell/shell.c src/shell/shell.h src/shell/shell_priv.h \
	src/shell/shell_domain.c src/shell/shell_job.c src/shell/shell_event.c \
	src/shell/shell_line.c src/shell/shell_main.c \
	src/shell/shell_migrate.c src/shell/shell_migrate_priv.h \
	src/shell/shell_blockjob.c src/shell/shell_blockjob_priv.h \
	src/shell/shell_jobwatch.c src/shell/shell_jobwatch.h \
	src/shell/shell_save.c src/shell/shell_save_priv.h
libqvirtshell_la_LIBADD = libqvirt.la $(GLIB_LIBS) $(JSONC_LIBS)

bin_PROGRAMS += src/shell/qvirt
src_shell_qvirt_SOURCES = src/shell/main.c
src_shell_qvirt_LDADD = libqvirtshell.la libqvirt.la $(GLIB_LIBS) $(JSONC_LIBS)

## src/qemu: the QEMU driver's building blocks, built as one convenience library.
noinst_LTLIBRARIES += libqvirtqemu.la
libqvirtqemu_la_SOURCES = \
	src/qemu/qemu_monitor.c src/qemu/qemu_monitor.h src/qemu/qemu_monitor_priv.h \
	src/qemu/qemu_monitor_json.c src/qemu/qemu_monitor_json.h \
	src/qemu/qemu_monitor_json_migration.c src/qemu/qemu_monitor_json_block.c \
	src/qemu/qemu_monitor_text.c src/qemu/qemu_monitor_text.h \
	src/qemu/qemu_capabilities.c src/qemu/qemu_capabilities.h \
	src/qemu/qemu_capabilities_priv.h \
	src/qemu/qemu_domain.c src/qemu/qemu_domain.h \
	src/qemu/qemu_alias.c src/qemu/qemu_alias.h \
	src/qemu/qemu_command.c src/qemu/qemu_command.h src/qemu/qemu_command_priv.h \
	src/qemu/qemu_command_disk.c src/qemu/qemu_command_net.c src/qemu/qemu_command_chardev.c \
	src/qemu/qemu_conf.c src/qemu/qemu_conf.h src/qemu/qemu_driver.c src/qemu/qemu_driver.h \
	src/qemu/qemu_process.c src/qemu/qemu_process.h src/qemu/qemu_process_priv.h \
	src/qemu/qemu_process_events.c src/qemu/qemu_process_reconnect.c \
	src/qemu/qemu_process_orphans.c \
	src/qemu/qemu_blockjob.c src/qemu/qemu_blockjob.h src/qemu/qemu_blockjob_priv.h \
	src/qemu/qemu_blockjob_start.c src/qemu/qemu_blockjob_disk.c \
	src/qemu/qemu_domain_status.c src/qemu/qemu_domain_status.h \
	src/qemu/qemu_host.c src/qemu/qemu_host.h \
	src/qemu/qemu_domain_job.c src/qemu/qemu_domain_job.h \
	src/qemu/qemu_migration.c src/qemu/qemu_migration.h \
	src/qemu/qemu_migration_src.c src/qemu/qemu_migration_dst.c \
	src/qemu/qemu_migration_dst_priv.h src/qemu/qemu_migration_priv.h \
	src/qemu/qemu_migration_port.c src/qemu/qemu_migration_port.h \
	src/qemu/qemu_migration_p2p.c src/qemu/qemu_migration_progress.c \
	src/qemu/qemu_migration_cookie.c src/qemu/qemu_migration_cookie.h \
	src/qemu/qemu_migration_params.c src/qemu/qemu_migration_params.h \
	src/qemu/qemu_migration_storage.c src/qemu/qemu_migration_storage.h \
	src/qemu/qemu_migration_tls.c src/qemu/qemu_migration_tls.h \
	src/qemu/qemu_recovery.c src/qemu/qemu_recovery.h \
	src/qemu/qemu_save.c src/qemu/qemu_save.h \
	src/qemu/qemu_save_image.c src/qemu/qemu_save_image.h \
	src/qemu/qemu_dump.c src/qemu/qemu_dump.h src/qemu/qemu_dump_writer.c \
	src/qemu/qemu_interface.c src/qemu/qemu_interface.h \
	src/qemu/qemu_migration_resume.c src/qemu/qemu_migration_resume.h
## libqvirtdriver.la: recovery asks a p2p peer through the client library.
libqvirtqemu_la_LIBADD = libqvirtdriver.la libqvirtconf.la libqvirtutil.la $(GLIB_LIBS) \
	$(LIBXML_LIBS) $(JSONC_LIBS) $(GNUTLS_LIBS)

## The QEMU driver module (see src/driver/driver.mk): the same sources plus
## the driver table, linked against the shared libqvirt_private.la only, so
## that the process holds one copy of util, conf and the framework.
driver_LTLIBRARIES += src/drivers/qvirt_driver_qemu.la
src_drivers_qvirt_driver_qemu_la_SOURCES = $(libqvirtqemu_la_SOURCES) src/qemu/qemu_module.c
src_drivers_qvirt_driver_qemu_la_LDFLAGS = -module -avoid-version -no-undefined \
	-export-symbols-regex '^qvirt_driver_qemu_register$$'
src_drivers_qvirt_driver_qemu_la_LIBADD = libqvirt_private.la \
	$(GLIB_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS) $(GNUTLS_LIBS)

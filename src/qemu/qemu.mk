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
	src/qemu/qemu_command_disk.c src/qemu/qemu_command_net.c src/qemu/qemu_command_chardev.c
libqvirtqemu_la_LIBADD = libqvirtconf.la libqvirtutil.la $(GLIB_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS)

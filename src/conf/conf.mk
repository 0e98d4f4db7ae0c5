## src/conf: the domain model (domain XML, status XML, objects, jobs, capabilities).
noinst_LTLIBRARIES += libqvirtconf.la
libqvirtconf_la_SOURCES = \
	src/conf/domain_state.c src/conf/domain_state.h \
	src/conf/domain_conf.c src/conf/domain_conf.h \
	src/conf/domain_conf_priv.h src/conf/domain_conf_xml.c \
	src/conf/domain_conf_general.c src/conf/domain_conf_disk.c \
	src/conf/domain_conf_net.c src/conf/domain_conf_chardev.c \
	src/conf/domain_conf_devices.c src/conf/domain_conf_defaults.c \
	src/conf/domain_conf_format.c src/conf/domain_addr.c \
	src/conf/domain_obj.c src/conf/domain_obj.h \
	src/conf/domain_job.c src/conf/domain_job.h src/conf/domain_job_priv.h \
	src/conf/domain_blockjob_record.c src/conf/domain_blockjob_record.h \
	src/conf/domain_status.c src/conf/domain_status.h \
	src/conf/domain_obj_list.c src/conf/domain_obj_list.h \
	src/conf/capabilities.c src/conf/capabilities.h
libqvirtconf_la_LIBADD = libqvirtutil.la $(GLIB_LIBS) $(LIBXML_LIBS)

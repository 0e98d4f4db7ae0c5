## fuzz: libFuzzer targets, one fuzz/fuzz-NAME.c each with its seed corpus in
## fuzz/corpus-NAME/. `make fuzz` builds them all with clang (ASan, UBSan)
## into $(builddir)/fuzz through tools/build-fuzzers; tools/run-fuzzers
## OUTDIR SECONDS runs each of them (with fuzz/NAME.dict when there is one).
EXTRA_DIST += \
	fuzz/fuzz-domainxml.c fuzz/corpus-domainxml fuzz/domainxml.dict \
	fuzz/fuzz-statusxml.c fuzz/corpus-statusxml
EXTRA_DIST += fuzz/fuzz-cookie.c fuzz/cookie.dict \
	fuzz/corpus-cookie/all-sections.xml fuzz/corpus-cookie/escaping.xml \
	fuzz/corpus-cookie/libvirt.xml fuzz/corpus-cookie/namespace.xml \
	fuzz/corpus-cookie/persistent.xml fuzz/corpus-cookie/same-host.xml
EXTRA_DIST += fuzz/fuzz-saveimage.c fuzz/corpus-saveimage

.PHONY: fuzz
fuzz:
	$(top_srcdir)/tools/build-fuzzers $(abs_top_builddir)/fuzz $(abs_top_builddir)

/* fuzz-domainxml.c: libFuzzer target for the domain XML parser.
 *
 * Feeds arbitrary bytes to domain_def_parse_string(), both as a user's
 * definition (PARSE_INACTIVE) and as live XML from a status file
 * (PARSE_STATUS). Whatever the input, the parser must not crash, leak or
 * hit undefined behaviour. A definition it accepts must format to XML that
 * parses again and formats identically (the format is canonical), in the
 * inactive and the live form, and a copy must format identically too;
 * otherwise the target aborts. When libvirt's domain schema is installed
 * (Debian's libvirt-clients; QVIRT_FUZZ_DOMAIN_RNG names another copy),
 * every formatted document must also validate against it. Generated UUIDs
 * and MACs come from a fixed sequence, so every run of one input is the
 * same. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/relaxng.h>

#include "conf/domain_conf.h"
#include "conf/domain_conf_priv.h"
#include "util/error.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static guint32 fuzz_random_state;

static void
fuzz_random_bytes(unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        fuzz_random_state = fuzz_random_state * 1103515245u + 12345u;
        buf[i] = (unsigned char)(fuzz_random_state >> 16);
    }
}

static xmlRelaxNGPtr fuzz_schema;

static void
fuzz_quiet_errors(void *data, const xmlError *err)
{
}

static void
fuzz_init_once(void)
{
    static gboolean done;
    const char *rng = g_getenv("QVIRT_FUZZ_DOMAIN_RNG");
    xmlRelaxNGParserCtxtPtr pctxt;

    if (done)
        return;
    done = TRUE;
    /* Rejected inputs log errors; keep the fuzzer's output readable. */
    qvirt_log_set_outputs("4:file:/dev/null");
    domain_conf_set_random_func(fuzz_random_bytes);

    if (!rng)
        rng = "/usr/share/libvirt/schemas/domain.rng";
    if (!g_file_test(rng, G_FILE_TEST_EXISTS)) {
        fprintf(stderr, "fuzz-domainxml: no schema at %s: not validating output\n", rng);
        return;
    }
    pctxt = xmlRelaxNGNewParserCtxt(rng);
    fuzz_schema = xmlRelaxNGParse(pctxt);
    xmlRelaxNGFreeParserCtxt(pctxt);
    if (!fuzz_schema) {
        fprintf(stderr, "fuzz-domainxml: cannot load the schema %s\n", rng);
        abort();
    }
}

static void
fuzz_fail(const char *what, const char *first, const char *second)
{
    fprintf(stderr, "fuzz-domainxml: %s\n--- first:\n%s\n--- second:\n%s\n--- error: %s\n", what,
            first ? first : "(none)", second ? second : "(none)", qvirt_error_last_message());
    abort();
}

/* XML must be valid by libvirt's domain schema (when it is installed). */
static void
fuzz_check_schema(const char *xml)
{
    xmlDocPtr doc;
    xmlRelaxNGValidCtxtPtr vctxt;
    int rc;

    if (!fuzz_schema)
        return;
    doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
    if (!doc)
        fuzz_fail("formatted XML is not well-formed", xml, NULL);
    vctxt = xmlRelaxNGNewValidCtxt(fuzz_schema);
    xmlRelaxNGSetValidStructuredErrors(vctxt, (xmlStructuredErrorFunc)fuzz_quiet_errors, NULL);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlFreeDoc(doc);
    if (rc != 0)
        fuzz_fail("formatted XML does not validate against libvirt's domain schema", xml, NULL);
}

/* FORMAT_FLAGS output of DEF must parse with PARSE_FLAGS and format back
 * to the same text. */
static void
fuzz_check_fixed_point(const DomainDef *def, unsigned int parse_flags, unsigned int format_flags)
{
    g_autofree char *out = domain_def_format(def, format_flags);
    g_autoptr(DomainDef) again = domain_def_parse_string(out, parse_flags);
    g_autofree char *out2 = NULL;

    fuzz_check_schema(out);
    if (!again)
        fuzz_fail("formatted XML does not parse", out, NULL);
    out2 = domain_def_format(again, format_flags);
    if (strcmp(out, out2) != 0)
        fuzz_fail("parse(format(x)) formats differently", out, out2);
}

static void
fuzz_one(const char *xml, unsigned int parse_flags)
{
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) copy = NULL;
    g_autofree char *live = NULL;
    g_autofree char *copied = NULL;

    fuzz_random_state = 1;
    if (!(def = domain_def_parse_string(xml, parse_flags)))
        return;
    fuzz_check_fixed_point(def, DOMAIN_DEF_PARSE_INACTIVE, DOMAIN_DEF_FORMAT_INACTIVE);
    fuzz_check_fixed_point(def, DOMAIN_DEF_PARSE_STATUS, DOMAIN_DEF_FORMAT_STATUS);

    live = domain_def_format(def, 0);
    if (!(copy = domain_def_copy(def)))
        fuzz_fail("copy failed", live, NULL);
    copied = domain_def_format(copy, 0);
    if (strcmp(live, copied) != 0)
        fuzz_fail("a copy formats differently", live, copied);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = g_strndup((const char *)data, size);

    fuzz_init_once();
    fuzz_one(xml, DOMAIN_DEF_PARSE_INACTIVE);
    fuzz_one(xml, DOMAIN_DEF_PARSE_STATUS);
    qvirt_error_reset();
    return 0;
}

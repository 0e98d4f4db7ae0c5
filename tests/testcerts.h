/* testcerts.h: X.509 certificates made at test time with certtool (Debian
 * gnutls-bin), for the suites that test TLS: a CA, certificates it signs,
 * and the files of a certificate folder. Every helper aborts the test when
 * certtool or a file operation fails, so a case never runs on half-made
 * certificates. */
#pragma once

#include <glib.h>

/* TRUE when certtool is in PATH; otherwise marks the running test as
 * skipped (g_test_skip) naming the package, and returns FALSE. */
gboolean qvirt_test_certs_available(void);

/* Make STEM"key.pem" (an ECDSA key) and STEM"cert.pem" in DIR from TEMPLATE,
 * certtool's template text (subject, usages, dates): self-signed when
 * CA_STEM is NULL, else signed by the CA whose files are CA_STEM"key.pem"
 * and CA_STEM"cert.pem" in DIR. STEM is a file name prefix ("ca" gives
 * cakey.pem, "ca-" gives ca-key.pem). */
void qvirt_test_cert_make(const char *dir, const char *stem, const char *ca_stem,
                          const char *template);

/* A CA template: CN, marked as a CA that signs certificates, then DATES
 * (certtool's expiration_days or activation/expiration dates, each line
 * ending in a newline). Free with g_free. */
char *qvirt_test_cert_ca_template(const char *cn, const char *dates);

/* Write TEXT to DIR/NAME. */
void qvirt_test_cert_write(const char *dir, const char *name, const char *text);

/* Copy FROM_DIR/FROM to TO_DIR/TO. */
void qvirt_test_cert_copy(const char *from_dir, const char *from, const char *to_dir,
                          const char *to);

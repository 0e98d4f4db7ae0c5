/* params-suites.h: the case files of test-params, each registering its
 * cases ("/qemumigration/params/...", ".../jobpriv/...", ".../tls/..."). */
#pragma once

void test_params_register(void);
void test_jobpriv_register(void);
void test_tls_register(void);

#include "conf/domain_obj.h"
#include "qemumonitortest.h"

/* A running domain "dom1" with the QEMU driver's private data and job
 * callbacks, and a scripted fake QEMU for its monitor (test-params.c). */
typedef struct {
    QvirtEventLoop *loop;
    QemuMonitorTest *server;
    DomainObj *vm;
} ParamsDom;

ParamsDom *params_dom_new(void);
/* After the script is set: connect and hand the monitor to the domain. */
void params_dom_connect(ParamsDom *d);
/* Close the monitor, check that the script was played whole, free. */
void params_dom_finish(ParamsDom *d);

/* test-qemustatus.h: the status XML cases of the qemuconf suite. */
#pragma once

void test_qemustatus_register(void);

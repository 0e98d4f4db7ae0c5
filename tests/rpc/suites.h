/* suites.h: the case files of the rpc suite (test-rpc). */
#pragma once

void test_message_register(void);
void test_keepalive_register(void);
void test_server_register(void);
void test_tls_register(void);
void test_virsh_register(void);

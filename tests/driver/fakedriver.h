/* fakedriver.h: small drivers built into the driver suite to exercise the
 * framework without a real hypervisor.
 *
 * "fake" serves fake:///ok (and fake:///fail with an error); most table
 * entries are NULL on purpose. "fakeremote" is a remote driver that accepts
 * every URI. Counters say what the framework called; fake_reset() zeroes
 * them. */
#pragma once

#include "driver/driver.h"

extern const HypervisorDriver fake_driver;
extern const HypervisorDriver fake_remote_driver;

typedef struct {
    int opens;
    int closes;
    int suspends;
    int destroys;
    unsigned int last_flags;
} FakeCounters;

extern FakeCounters fake_counters;

void fake_reset(void);

/* The UUID of fake domain NAME: a fixed function of the name. */
void fake_uuid(const char *name, unsigned char ret_uuid[16]);

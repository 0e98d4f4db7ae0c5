/* testdriver.h: what the test driver suite's case files share: an event
 * recorder, fixture loading and state assertions. */
#pragma once

#include "conf/domain_obj_list.h"
#include "driver/api.h"
#include "testutil.h"
#include "util/error.h"
#include "util/threads.h"

/* A bound for things that must happen; reaching it fails the test. */
#define TEST_WAIT_MS 20000

/* tests/testdriver/data in the source tree (main.c). */
extern const char *data_dir;

/* Events as lines: "NAME:TYPE:DETAIL" (lifecycle), "NAME:reboot",
 * "NAME:iteration:N", "NAME:completed:DATA_PROCESSED:SUCCESS". */
typedef struct {
    QvirtMutex lock;
    QvirtCond cond;
    GPtrArray *lines;
} Recorder;

Recorder *recorder_new(void);
void recorder_free(Recorder *rec);
void recorder_event(QvConnect *conn, QvDomain *dom, const QvEvent *event, gpointer opaque);
/* Register the recorder on CONN for EVENT_ID (every domain). */
void recorder_watch(QvConnect *conn, Recorder *rec, int event_id);
/* Flush the event queue, return the lines joined by '|' and forget them. */
char *recorder_take(Recorder *rec);
/* Wait until COUNT lines were recorded (fails the test at TEST_WAIT_MS). */
void recorder_wait(Recorder *rec, guint count);

QvConnect *open_default(unsigned int flags);
/* Close CONN, asserting that it was the last reference. */
void close_last(QvConnect *conn);

char *load_fixture(const char *name);
QvDomain *define_fixture(QvConnect *conn, const char *name);
/* TEXT with the first OLD replaced by NEW_TEXT; OLD must be there. */
char *replace_once(const char *text, const char *old, const char *new_text);
void assert_state(QvDomain *dom, int state, int reason);

void test_testdriver_register_cases(void);
void test_jobs_register_cases(void);

/* qemu_domain_job.c: placeholder, being written. */
#include <config.h>

typedef int qemu_domain_job_placeholder;

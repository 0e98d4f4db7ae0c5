/* main.c: the qvirt program; everything is in shell_main.c. */
#include <config.h>

#include "shell/shell.h"

int
main(int argc, char **argv)
{
    return shell_main(argc, argv);
}

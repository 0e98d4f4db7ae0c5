/* i18n.h: the translation macros _() and N_() for the "qvirt" gettext domain.
 * Every user-visible message is wrapped in _(); po/POTFILES.in lists the files. */
#pragma once

#include <glib/gi18n-lib.h>
